/* The catalog's search form applies a filter or a sort as soon as it changes.
 *
 * Progressive enhancement: without JavaScript the same form works with its Search button, and the facets are
 * plain links. The form carries no cursor, so a change always starts again from the first page.
 */
(function () {
  "use strict";

  var form = document.getElementById("catalog-search");
  if (!form) {
    return;
  }
  form.addEventListener("change", function (event) {
    if (event.target && event.target.tagName === "SELECT") {
      form.submit();
    }
  });
})();
