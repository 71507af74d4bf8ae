// What docs.ts imports: the two prebuilt browser bundles, as much of them as it calls
// (neither package ships types for its bundle), and the parsed AsyncAPI document.

declare module 'swagger-ui-dist/swagger-ui-bundle.js' {
  interface SwaggerUIOptions {
    url: string;
    dom_id: string;
    queryConfigEnabled: boolean;
    configUrl: string | null;
    deepLinking: boolean;
    validatorUrl: string | null;
    presets: unknown[];
    layout: string;
  }
  interface SwaggerUIBundle {
    (options: SwaggerUIOptions): unknown;
    presets: { apis: unknown };
  }
  const bundle: SwaggerUIBundle;
  export default bundle;
}

declare module '@asyncapi/react-component/browser/standalone/without-parser.js' {
  interface AsyncApiProps {
    /** A document @asyncapi/parser parsed, as its stringify() wrote it. */
    schema: string;
    config?: Record<string, unknown>;
  }
  const standalone: { render(props: AsyncApiProps, element: Element): void };
  export default standalone;
}

/** api/asyncapi.yaml as @asyncapi/parser parsed it at build time, stringified (build.mjs). */
declare module 'flow:asyncapi' {
  const document: string;
  export default document;
}
