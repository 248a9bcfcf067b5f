// The overlay's files: the page, its script (bundled from TypeScript with uPlot and the
// state reducer by esbuild on first request, then kept in memory) and uPlot's stylesheet.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

export interface Asset {
  contentType: string;
  body: string;
}

let script: Promise<Asset> | null = null;

/** The overlay's script as one ES2020 file for Chromium (OBS's browser source). */
export function buildOverlayScript(): Promise<Asset> {
  script ??= build({
    entryPoints: [path.join(HERE, "browser", "main.ts")],
    bundle: true,
    write: false,
    format: "iife",
    target: "es2020",
    minify: true,
    logLevel: "silent",
  }).then((result) => ({
    contentType: "text/javascript; charset=utf-8",
    body: result.outputFiles[0]!.text,
  }));
  // A failed build is retried on the next request rather than remembered.
  script.catch(() => (script = null));
  return script;
}

async function file(file: string, contentType: string): Promise<Asset> {
  return { contentType, body: await readFile(file, "utf8") };
}

/** The asset served at this path, or null. */
export function overlayAsset(pathname: string): Promise<Asset> | null {
  switch (pathname) {
    case "/overlay":
    case "/overlay/":
      return file(path.join(HERE, "page.html"), "text/html; charset=utf-8");
    case "/overlay/overlay.css":
      return file(path.join(HERE, "overlay.css"), "text/css; charset=utf-8");
    case "/overlay/uPlot.min.css":
      return file(require.resolve("uplot/dist/uPlot.min.css"), "text/css; charset=utf-8");
    case "/overlay/overlay.js":
      return buildOverlayScript();
    default:
      return null;
  }
}

/**
 * The overlay as one self-contained HTML file (styles and script inline), for opening from
 * disk: it then loads before the receiver runs and connects once it does. The receiver's
 * address comes from its ?receiver=host:port parameter.
 */
export async function standaloneOverlayHtml(): Promise<string> {
  const [page, css, uplotCss, js] = await Promise.all([
    readFile(path.join(HERE, "page.html"), "utf8"),
    readFile(path.join(HERE, "overlay.css"), "utf8"),
    readFile(require.resolve("uplot/dist/uPlot.min.css"), "utf8"),
    buildOverlayScript(),
  ]);
  // Inline, "</script" inside the code would end the element early.
  const script = js.body.replace(/<\/script/gi, "<\\/script");
  return page
    .replace(
      '<link rel="stylesheet" href="/overlay/uPlot.min.css" />',
      () => `<style>${uplotCss}</style>`,
    )
    .replace('<link rel="stylesheet" href="/overlay/overlay.css" />', () => `<style>${css}</style>`)
    .replace('<script src="/overlay/overlay.js"></script>', () => `<script>${script}</script>`);
}
