/** The console's screens, kept in the URL's hash so a reload or a link opens the same one. */
import { useEffect, useState } from 'react';

export type Route = { view: 'queue' | 'matches' | 'bulk' | 'figures' } | { view: 'product'; id: string };

function parse(hash: string): Route {
  const [view, id] = hash.replace(/^#\/?/, '').split('/');
  if (view === 'product' && id) return { view: 'product', id: decodeURIComponent(id) };
  if (view === 'matches' || view === 'bulk' || view === 'figures') return { view };
  return { view: 'queue' };
}

export function routeHash(route: Route): string {
  return route.view === 'product' ? `#/product/${encodeURIComponent(route.id)}` : `#/${route.view}`;
}

export function navigate(route: Route): void {
  window.location.hash = routeHash(route);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parse(window.location.hash));
  useEffect(() => {
    const update = () => setRoute(parse(window.location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}
