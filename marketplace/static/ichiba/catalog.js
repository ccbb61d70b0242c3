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
  // A select applies at once; the tag field when it is left or Enter is pressed (its "change"), not at each key.
  // The search box itself waits for its button or Enter, as a search box does.
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (!target || !target.closest(".filters")) {
      return;
    }
    if (target.tagName === "SELECT" || (target.tagName === "INPUT" && target.name === "tag")) {
      form.submit();
    }
  });
})();
