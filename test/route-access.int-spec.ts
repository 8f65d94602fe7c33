/**
 * Default deny, checked over the source (issue 5, point 1): every route of every controller in
 * the apps and libraries says who may call it (`@Public()` or `@Allow(...)`, on the handler or its
 * controller). The auth guard refuses a route that says nothing at run time; this test makes a
 * forgotten declaration fail CI instead of closing a route in production. Controllers are found by
 * reading every source file for `@Controller(`, so a new one is checked without being listed.
 */
import { Controller, Get, Post } from '@nestjs/common';
import { Allow, Public } from '@app/auth';
import { printFigures } from './support/figures';
import { controllers, routesOf } from './support/routes';

describe('default deny', () => {
  it('finds every route of every controller declaring who may call it', async () => {
    const found = await controllers();
    const routes = found.flatMap(({ file, type }) => routesOf(type, file));
    const undeclared = routes.filter((route) => route.access === undefined);
    const publicRoutes = routes.filter((route) => route.access?.kind === 'public').map((route) => `${route.method} ${route.path}`);
    printFigures(
      `default deny: ${found.length} controllers, ${routes.length} routes, ${routes.length - undeclared.length} declared (${publicRoutes.length} public: ${publicRoutes.join(', ')}), ${undeclared.length} undeclared`,
    );
    expect(undeclared.map((route) => `${route.method} ${route.path} (${route.where})`)).toEqual([]);
    // What is open to anyone is only what API.md opens: health (and the docs, served outside Nest's routes).
    expect(publicRoutes.sort()).toEqual(['GET /health/live', 'GET /health/ready']);
    // Sanity: the search found the apps' controllers, not nothing.
    expect(routes.length).toBeGreaterThan(30);
  });

  it('flags a route that declares nothing, and takes a controller-wide declaration for its routes', () => {
    @Controller('forgotten')
    class Forgotten {
      @Get()
      read(): void {}
    }
    @Allow('board')
    @Controller('declared')
    class Declared {
      @Post(':id')
      write(): void {}
      @Public()
      @Get()
      open(): void {}
    }
    expect(routesOf(Forgotten, 'here')).toEqual([{ where: 'here Forgotten.read', method: 'GET', path: '/forgotten', access: undefined }]);
    expect(routesOf(Declared, 'here').map((route) => [route.method, route.path, route.access?.kind])).toEqual([
      ['POST', '/declared/:id', 'roles'],
      ['GET', '/declared', 'public'],
    ]);
  });
});
