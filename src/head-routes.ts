// Which services answer HEAD on their GET routes. Nova and Cinder route with python-routes, whose
// Route.match() refuses a REQUEST_METHOD outside the route's `conditions={'method': [...]}` — and no
// Nova or Cinder route lists HEAD — so HEAD /compute/v2.1/servers is their "no route" 404
// (nova/api/openstack/__init__.py APIRouterV21 via routes.middleware). Keystone (Flask: every GET rule
// also answers HEAD; keystone's HEAD /v3/auth/tokens is check_token), Neutron (pecan serves HEAD with
// the GET controller) and the control plane keep HEAD. So the app registers no HEAD twins by default
// (`exposeHeadRoutes: false`, which also halves the router work at start-up), and a service that has
// them opts in here.
import type { FastifyInstance, RouteShorthandOptions } from 'fastify';

type Get = FastifyInstance['get'];

/** From here down (this plugin and the plugins it registers), every GET route also answers HEAD. */
export function headOnGetRoutes(app: FastifyInstance): void {
  const get = app.get as unknown as (this: FastifyInstance, url: string, options: unknown, handler?: unknown) => FastifyInstance;
  // fastify creates each child instance with Object.create(parent), so children inherit this shorthand.
  app.get = function (this: FastifyInstance, url: string, options: unknown, handler?: unknown) {
    if (typeof options === 'function') return get.call(this, url, { exposeHeadRoute: true } satisfies RouteShorthandOptions, options);
    return get.call(this, url, { exposeHeadRoute: true, ...(options as RouteShorthandOptions) }, handler);
  } as unknown as Get;
}
