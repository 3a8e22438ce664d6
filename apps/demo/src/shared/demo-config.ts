/** Where every page points the element: both same-origin, proxied by the demo server. */
export const GRAPHQL_ENDPOINT = '/graphql';
export const PLUGIN_SRC = '/oz-plugin/plugin_liveness.php';
