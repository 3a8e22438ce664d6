import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

// TypeScript in <script lang="ts"> is stripped by Vite's preprocessor.
export default { preprocess: vitePreprocess() };
