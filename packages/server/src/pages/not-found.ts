import { html } from '../html.js';
import type { PageContent } from './layout.js';

/** A page for something the history does not have: 404, saying what was asked for. */
export function notFoundPage(message: string): PageContent {
  return {
    title: 'Not found',
    trail: [],
    main: html`<h1>Not found</h1><p class="empty">${message}</p>`,
    status: 404,
  };
}
