// GraphiQL for /graphql. The key is asked for (the form above the editor) and kept in this
// tab's session storage; until one is given, requests go without an Authorization header
// (introspection and sign-up/login work anonymously). A header typed in GraphiQL's own
// header editor wins over the stored key.
(function () {
  'use strict';
  var STORAGE = 'fluenzr.graphiql.key';
  var form = document.getElementById('key');
  var input = document.getElementById('key-input');
  var state = document.getElementById('key-state');

  function storedKey() {
    try {
      return window.sessionStorage.getItem(STORAGE) || '';
    } catch (e) {
      return '';
    }
  }

  function show() {
    state.textContent = storedKey()
      ? 'A key is set for this tab.'
      : 'No key: only anonymous operations (signUp, login, introspection) will work.';
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var key = input.value.trim().replace(/^Bearer\s+/i, '');
    if (key) {
      window.sessionStorage.setItem(STORAGE, key);
    }
    input.value = '';
    show();
  });
  document.getElementById('key-forget').addEventListener('click', function () {
    window.sessionStorage.removeItem(STORAGE);
    show();
  });
  show();

  function fetchWithKey(url, init) {
    var options = Object.assign({}, init);
    var headers = new Headers(options.headers || {});
    var key = storedKey();
    if (key && !headers.has('Authorization')) {
      headers.set('Authorization', 'Bearer ' + key);
    }
    options.headers = headers;
    return window.fetch(url, options);
  }

  var fetcher = GraphiQL.createFetcher({ url: '/graphql', fetch: fetchWithKey });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      defaultQuery:
        '# Paste an API key above, then run:\n{\n  viewer { workspace { id name plan } }\n  contacts(perPage: 5) { items { id email firstName } pageInfo { total } }\n}\n',
    })
  );
})();
