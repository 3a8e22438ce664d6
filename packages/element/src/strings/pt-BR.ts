import type { LivenessStrings } from './liveness-strings.js';

export const ptBR: LivenessStrings = {
  start: 'Iniciar prova de vida',
  cancel: 'Cancelar',
  tryAgain: 'Tentar novamente',
  preparing: 'Preparando…',
  capturing: 'Siga as instruções na tela.',
  uploading: 'Verificando a gravação…',
  progressLabel: 'Progresso do envio',
  accepted: 'Prova de vida confirmada.',
  rejected: 'Não foi possível confirmar a prova de vida.',
  review: 'Sua verificação precisa de uma análise manual.',
  retry: 'Não foi possível concluir a verificação. Tente novamente.',
  valueMissing: 'Conclua a prova de vida.',
  errorBrowser: 'Este navegador não consegue fazer a verificação. Tente outro navegador.',
  errorCameraDenied:
    'O acesso à câmera está bloqueado. Permita a câmera nas configurações do navegador e tente novamente.',
  errorCameraNotFound: 'Nenhuma câmera encontrada. Conecte uma câmera e tente novamente.',
  errorCapture: 'A gravação não funcionou. Tente novamente.',
  errorNetwork: 'Problema de conexão. Verifique sua conexão e tente novamente.',
  errorBusy: 'Muitas tentativas. Aguarde um minuto e tente novamente.',
  errorGeneric: 'Algo deu errado. Tente novamente mais tarde.',
};
