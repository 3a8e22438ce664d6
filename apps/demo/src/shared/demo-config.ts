/** Where every page points the element: both same-origin, proxied by the demo server. */
export const GRAPHQL_ENDPOINT = '/graphql';
export const PLUGIN_SRC = '/oz-plugin/plugin_liveness.php';
/**
 * The strict-CSP page's data block (written by the demo server) listing the plugin origins the
 * page trusts; its script hands them to `OzLivenessCheck.trustedPluginOrigins`.
 */
export const TRUSTED_ORIGINS_ID = 'oz-demo-trusted-plugin-origins';
