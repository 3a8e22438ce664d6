import type { Options } from '@vitejs/plugin-vue';

// Tell Vue's template compiler that <oz-liveness-check> is a custom element, not a Vue
// component, so it stops warning "failed to resolve component" and leaves it to the browser.
export const vueOptions: Options = {
  template: {
    compilerOptions: {
      isCustomElement: (tag) => tag.startsWith('oz-'),
    },
  },
};
