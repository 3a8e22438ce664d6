import { defineConfig } from 'vite';
import { demoOptionsFromEnv } from './server/demo-options.js';
import { createDemoConfig } from './server/demo-vite-config.js';

export default defineConfig(() => createDemoConfig(demoOptionsFromEnv(process.env)));
