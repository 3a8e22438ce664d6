import type { LivenessStrings } from './liveness-strings.js';

export const en: LivenessStrings = {
  start: 'Start liveness check',
  cancel: 'Cancel',
  tryAgain: 'Try again',
  preparing: 'Getting ready…',
  capturing: 'Follow the instructions on the screen.',
  uploading: 'Checking the recording…',
  progressLabel: 'Upload progress',
  accepted: 'Liveness confirmed.',
  rejected: 'Liveness could not be confirmed.',
  review: 'Your check needs a manual review.',
  retry: 'The check could not be completed. Please try again.',
  valueMissing: 'Please complete the liveness check.',
  errorBrowser: 'This browser cannot run the check. Please try another browser.',
  errorCameraDenied:
    'Camera access is blocked. Allow the camera in your browser settings, then try again.',
  errorCameraNotFound: 'No camera was found. Connect a camera, then try again.',
  errorCapture: 'The recording did not work. Please try again.',
  errorNetwork: 'Connection problem. Check your connection, then try again.',
  errorBusy: 'Too many attempts. Please wait a minute, then try again.',
  errorGeneric: 'Something went wrong. Please try again later.',
};
