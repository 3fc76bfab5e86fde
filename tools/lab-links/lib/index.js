/*
 * A link from one chapter to another opens that chapter in JupyterLab, as the
 * book's settings open any chapter (the Jupytext notebook), and scrolls to its
 * anchor.
 *
 * Without this, a Markdown link such as [the theorem](categorical.md#thm-x)
 * opened the raw file (/files/chapters/categorical.md#thm-x) in a new browser
 * tab. jupyterlab-myst 2.7 (src/transforms/links.tsx) sets such a link's href
 * to the file's download URL and hands the link to the notebook's link
 * handler, if there is one; it has no setting to change either.
 *
 * Here one click listener, in the capture phase (before any link's own
 * handlers and before the browser follows the link), takes a plain left click
 * on a link inside an open document when the link names a notebook-like file
 * (.md, .ipynb) of the same server: either relative to that document, or as
 * the server's /files/ or /lab/tree/ URL of it. It opens the file with
 * JupyterLab's "docmanager:open" (the default viewer: the notebook, under the
 * book's settings), then brings the anchor's element into view once the
 * notebook has rendered it. Every other click is left alone: links to other
 * hosts, to other kinds of file, within the page, or with a modifier key held
 * (so Ctrl/Cmd+click still opens a tab).
 */

const CHAPTER = /\.(md|ipynb)$/i;
const REVEAL_TIMEOUT_MS = 20000;
const SETTLE_MS = 2500;

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

/** The server's base path, ending in "/". */
function basePath(app) {
  const base = app.serviceManager.serverSettings.baseUrl || '/';
  const path = new URL(base, window.location.href).pathname;
  return path.endsWith('/') ? path : `${path}/`;
}

/** "a/b/../c" -> "a/c"; null if the path climbs above the server's root. */
function normalise(path) {
  const parts = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') {
      continue;
    }
    if (part === '..') {
      if (parts.length === 0) {
        return null;
      }
      parts.pop();
    } else {
      parts.push(part);
    }
  }
  return parts.join('/');
}

/** The document (a widget of the main area with a context) that holds ``node``. */
function documentOf(app, node) {
  for (const widget of app.shell.widgets('main')) {
    if (widget.context && widget.node.contains(node)) {
      return widget;
    }
  }
  return null;
}

/**
 * The server path and fragment a link names, or null when it is not a link to
 * a chapter of this server. ``from`` is the path of the document holding it.
 */
function target(href, from, base) {
  if (!href || href.startsWith('#')) {
    return null;
  }
  let path;
  let fragment = '';
  if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('/')) {
    const url = new URL(href, window.location.href);
    if (url.origin !== window.location.origin) {
      return null;
    }
    const prefix = [`${base}files/`, `${base}lab/tree/`].find(p =>
      url.pathname.startsWith(p)
    );
    if (!prefix) {
      return null;
    }
    path = url.pathname.slice(prefix.length);
    fragment = url.hash;
  } else {
    const [beforeHash, ...hash] = href.split('#');
    fragment = hash.length ? `#${hash.join('#')}` : '';
    const relative = beforeHash.split('?')[0];
    const folder = from.includes('/') ? from.slice(0, from.lastIndexOf('/')) : '';
    path = folder ? `${folder}/${relative}` : relative;
  }
  try {
    path = normalise(decodeURIComponent(path));
  } catch (error) {
    return null;
  }
  if (!path || !CHAPTER.test(path)) {
    return null;
  }
  return { path, id: decodeURIComponent(fragment.slice(1)) };
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The element with id ``id`` in ``node`` (as given, or as MyST writes an HTML id). */
function findAnchor(node, id) {
  const html = id.toLowerCase().replace(/[^a-z0-9_-]+/g, '-');
  for (const candidate of new Set([id, html])) {
    const found = node.querySelector(`[id="${CSS.escape(candidate)}"]`);
    if (found) {
      return found;
    }
  }
  return null;
}

function inView(element, container) {
  const box = element.getBoundingClientRect();
  const frame = container.getBoundingClientRect();
  return box.top >= frame.top - 1 && box.top < frame.bottom - 20;
}

/**
 * Bring the element with id ``id`` into view in the notebook ``panel``: first
 * the cell that defines the label (so that it is attached and rendered), then
 * the element itself once MyST has rendered it, and again while the cells
 * above it finish rendering and move it.
 */
async function reveal(panel, id) {
  await panel.context.ready;
  if (panel.revealed) {
    await panel.revealed;
  }
  const notebook = panel.content;
  const label = escapeRegExp(id);
  const defines = new RegExp(
    `^\\s*(:label:\\s*${label}\\s*$|:name:\\s*${label}\\s*$|name:\\s*${label}\\s*$|\\(${label}\\)=)`,
    'm'
  );
  const cells = notebook && notebook.widgets ? notebook.widgets : [];
  const index = cells.findIndex(cell => defines.test(cell.model.sharedModel.getSource()));
  if (index >= 0) {
    notebook.activeCellIndex = index;
    if (notebook.scrollToCell) {
      await notebook.scrollToCell(cells[index], 'start');
    }
  }
  const scroller = notebook ? notebook.node : panel.node;
  const deadline = Date.now() + REVEAL_TIMEOUT_MS;
  let found = null;
  while (!found && Date.now() < deadline) {
    found = findAnchor(panel.node, id);
    if (!found) {
      await sleep(200);
    }
  }
  if (!found) {
    return;
  }
  const settled = Date.now() + SETTLE_MS;
  found.scrollIntoView({ block: 'start' });
  while (Date.now() < settled) {
    await sleep(250);
    const element = findAnchor(panel.node, id) || found;
    if (!inView(element, scroller)) {
      element.scrollIntoView({ block: 'start' });
    }
  }
}

async function open(app, where) {
  const widget = await app.commands.execute('docmanager:open', { path: where.path });
  if (!widget) {
    return;
  }
  app.shell.activateById(widget.id);
  if (where.id) {
    await reveal(widget, where.id);
  }
}

const plugin = {
  id: 'binary-gumbel-lab-links:plugin',
  description: 'A link to another chapter opens that chapter as a notebook, at its anchor.',
  autoStart: true,
  activate: app => {
    const base = basePath(app);
    document.addEventListener(
      'click',
      event => {
        if (
          event.defaultPrevented ||
          event.button !== 0 ||
          event.ctrlKey ||
          event.metaKey ||
          event.shiftKey ||
          event.altKey
        ) {
          return;
        }
        const link = event.target instanceof Element ? event.target.closest('a[href]') : null;
        if (!link || link.hasAttribute('download')) {
          return;
        }
        const host = documentOf(app, link);
        if (!host) {
          return;
        }
        const from = host.context.localPath || host.context.path;
        const where = target(link.getAttribute('href'), from, base);
        if (!where) {
          return;
        }
        event.preventDefault();
        event.stopPropagation();
        open(app, where).catch(error => {
          console.warn(`Could not open ${where.path}:`, error);
        });
      },
      true
    );
  }
};

export default plugin;
