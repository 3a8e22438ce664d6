/** The overlay's few strings, per language. The badge stays visible in every language on purpose. */

export interface OverlayStrings {
  title: string;
  badge: string;
  close: string;
  preview: string;
  starting: string;
  recording: string;
  choose: string;
  packing: string;
  outcomes: string;
  genuine: string;
  spoof: string;
  review: string;
  system_error: string;
}

const en: OverlayStrings = {
  title: 'Liveness check',
  badge: 'Oz sandbox — not a real liveness check',
  close: 'Close',
  preview: 'Camera preview',
  starting: 'Starting the camera…',
  recording: 'Recording a short clip. Look at the camera.',
  choose: 'Clip recorded. Choose the result to simulate.',
  packing: 'Packing the clip…',
  outcomes: 'Result to simulate',
  genuine: 'Genuine person',
  spoof: 'Spoof attempt',
  review: 'Needs review',
  system_error: 'System error',
};

const es: OverlayStrings = {
  title: 'Prueba de vida',
  badge: 'Sandbox de Oz: no es una prueba de vida real',
  close: 'Cerrar',
  preview: 'Vista previa de la cámara',
  starting: 'Iniciando la cámara…',
  recording: 'Grabando un clip corto. Mire a la cámara.',
  choose: 'Clip grabado. Elija el resultado que desea simular.',
  packing: 'Empaquetando el clip…',
  outcomes: 'Resultado a simular',
  genuine: 'Persona real',
  spoof: 'Intento de suplantación',
  review: 'Requiere revisión',
  system_error: 'Error del sistema',
};

const ptBR: OverlayStrings = {
  title: 'Prova de vida',
  badge: 'Sandbox da Oz — não é uma prova de vida real',
  close: 'Fechar',
  preview: 'Pré-visualização da câmera',
  starting: 'Iniciando a câmera…',
  recording: 'Gravando um clipe curto. Olhe para a câmera.',
  choose: 'Clipe gravado. Escolha o resultado a simular.',
  packing: 'Empacotando o clipe…',
  outcomes: 'Resultado a simular',
  genuine: 'Pessoa real',
  spoof: 'Tentativa de fraude',
  review: 'Requer revisão',
  system_error: 'Erro do sistema',
};

const ru: OverlayStrings = {
  title: 'Проверка живости',
  badge: 'Песочница Oz — это не настоящая проверка',
  close: 'Закрыть',
  preview: 'Изображение с камеры',
  starting: 'Включаем камеру…',
  recording: 'Записываем короткое видео. Смотрите в камеру.',
  choose: 'Видео записано. Выберите результат для имитации.',
  packing: 'Упаковываем видео…',
  outcomes: 'Результат для имитации',
  genuine: 'Живой человек',
  spoof: 'Попытка подмены',
  review: 'Нужна проверка',
  system_error: 'Системная ошибка',
};

const kk: OverlayStrings = {
  title: 'Тірі адамды тексеру',
  badge: 'Oz құмсалғышы — бұл нақты тексеру емес',
  close: 'Жабу',
  preview: 'Камерадан алдын ала көру',
  starting: 'Камера қосылуда…',
  recording: 'Қысқа бейне жазылуда. Камераға қараңыз.',
  choose: 'Бейне жазылды. Модельдейтін нәтижені таңдаңыз.',
  packing: 'Бейне буып-түйілуде…',
  outcomes: 'Модельдейтін нәтиже',
  genuine: 'Тірі адам',
  spoof: 'Алдау әрекеті',
  review: 'Тексеру қажет',
  system_error: 'Жүйелік қате',
};

const tr: OverlayStrings = {
  title: 'Canlılık kontrolü',
  badge: 'Oz sandbox — gerçek bir canlılık kontrolü değildir',
  close: 'Kapat',
  preview: 'Kamera önizlemesi',
  starting: 'Kamera başlatılıyor…',
  recording: 'Kısa bir video kaydediliyor. Kameraya bakın.',
  choose: 'Video kaydedildi. Simüle edilecek sonucu seçin.',
  packing: 'Video paketleniyor…',
  outcomes: 'Simüle edilecek sonuç',
  genuine: 'Gerçek kişi',
  spoof: 'Sahtecilik girişimi',
  review: 'İnceleme gerekli',
  system_error: 'Sistem hatası',
};

const byLanguage: Record<string, OverlayStrings> = { en, es, 'pt-br': ptBR, ru, kk, tr };

/**
 * Picks the strings for a BCP 47 tag: exact match (case-insensitive), else the primary language
 * (so `es-MX` gets `es` and `pt` gets `pt-BR`), else English.
 */
export function pickStrings(lang: string | undefined): { lang: string; strings: OverlayStrings } {
  const tag = (lang ?? '').trim().toLowerCase();
  const primary = tag.split('-')[0] ?? '';
  const key =
    tag in byLanguage
      ? tag
      : Object.keys(byLanguage).find((k) => k === primary || k.split('-')[0] === primary);
  const strings = key ? byLanguage[key] : undefined;
  if (!key || !strings) return { lang: 'en', strings: en };
  return { lang: key === 'pt-br' ? 'pt-BR' : key, strings };
}
