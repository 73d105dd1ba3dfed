// Renders /v1/openapi.json with the bundled viewer: no request leaves this server.
Redoc.init(
  '/v1/openapi.json',
  {
    expandResponses: '200,201,202',
    hideHostname: false,
    jsonSampleExpandLevel: 3,
    pathInMiddlePanel: true,
    sortTagsAlphabetically: false,
    theme: { colors: { primary: { main: '#3b4cca' } }, typography: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif', headings: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif' } } },
  },
  document.getElementById('reference'),
);
