import type { LivenessStrings } from './liveness-strings.js';

export const tr: LivenessStrings = {
  start: 'Canlılık kontrolünü başlat',
  cancel: 'İptal',
  tryAgain: 'Tekrar dene',
  preparing: 'Hazırlanıyor…',
  capturing: 'Ekrandaki talimatları izleyin.',
  uploading: 'Kayıt kontrol ediliyor…',
  progressLabel: 'Yükleme ilerlemesi',
  accepted: 'Canlılık doğrulandı.',
  rejected: 'Canlılık doğrulanamadı.',
  review: 'Kontrolünüzün elle incelenmesi gerekiyor.',
  retry: 'Kontrol tamamlanamadı. Lütfen tekrar deneyin.',
  valueMissing: 'Lütfen canlılık kontrolünü tamamlayın.',
  errorBrowser: 'Bu tarayıcı kontrolü çalıştıramıyor. Lütfen başka bir tarayıcı deneyin.',
  errorCameraDenied:
    'Kamera erişimi engellendi. Tarayıcı ayarlarından kameraya izin verin ve tekrar deneyin.',
  errorCameraNotFound: 'Kamera bulunamadı. Bir kamera bağlayın ve tekrar deneyin.',
  errorCapture: 'Kayıt başarısız oldu. Lütfen tekrar deneyin.',
  errorNetwork: 'Bağlantı sorunu. Bağlantınızı kontrol edip tekrar deneyin.',
  errorBusy: 'Çok fazla deneme. Bir dakika bekleyip tekrar deneyin.',
  errorGeneric: 'Bir şeyler ters gitti. Lütfen daha sonra tekrar deneyin.',
};
