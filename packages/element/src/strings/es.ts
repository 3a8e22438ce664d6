import type { LivenessStrings } from './liveness-strings.js';

export const es: LivenessStrings = {
  start: 'Iniciar prueba de vida',
  cancel: 'Cancelar',
  tryAgain: 'Intentar de nuevo',
  preparing: 'Preparando…',
  capturing: 'Sigue las instrucciones en pantalla.',
  uploading: 'Comprobando la grabación…',
  progressLabel: 'Progreso de la subida',
  accepted: 'Prueba de vida confirmada.',
  rejected: 'No se pudo confirmar la prueba de vida.',
  review: 'Tu verificación necesita una revisión manual.',
  retry: 'No se pudo completar la verificación. Inténtalo de nuevo.',
  valueMissing: 'Completa la prueba de vida.',
  errorBrowser: 'Este navegador no puede realizar la verificación. Prueba con otro navegador.',
  errorCameraDenied:
    'El acceso a la cámara está bloqueado. Permite la cámara en la configuración del navegador e inténtalo de nuevo.',
  errorCameraNotFound: 'No se encontró ninguna cámara. Conecta una cámara e inténtalo de nuevo.',
  errorCapture: 'La grabación no funcionó. Inténtalo de nuevo.',
  errorNetwork: 'Problema de conexión. Revisa tu conexión e inténtalo de nuevo.',
  errorBusy: 'Demasiados intentos. Espera un minuto e inténtalo de nuevo.',
  errorGeneric: 'Algo salió mal. Inténtalo de nuevo más tarde.',
};
