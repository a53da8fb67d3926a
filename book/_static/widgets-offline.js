// vae-teach: glue between the book's own copies of require.js, the
// ipywidgets html-manager and MathJax. Loaded after require.js and before
// vendor/html-manager/embed-amd.js (see _config.yml, html_js_files).
(function () {
  // 1. Where the widget modules live. The html-manager bundle resolves its
  //    font files from its module path; without this it asks for them under
  //    <page folder>/@jupyter-widgets/ and gets 404s.
  var src = document.currentScript.src;
  var vendor = src.slice(0, src.lastIndexOf("/") + 1) + "vendor/html-manager";
  require.config({
    paths: {
      "@jupyter-widgets/html-manager/dist": vendor,
      "@jupyter-widgets": vendor,
    },
  });

  // 2. ipywidgets typesets widget labels with the MathJax 2 API
  //    (MathJax.Hub.Queue); the book loads MathJax 3, which has no Hub, so
  //    every labelled widget would throw "Cannot read properties of undefined
  //    (reading 'Queue')". MathJax (deferred) is loaded by DOMContentLoaded;
  //    widgets render on window load, after it.
  document.addEventListener("DOMContentLoaded", function () {
    var mj = window.MathJax;
    if (!mj || mj.Hub) return;
    mj.Hub = {
      Queue: function (job) {
        var element = job && job[2];
        if (element && typeof mj.typesetPromise === "function") {
          mj.typesetPromise([element]).catch(function (error) {
            console.warn("MathJax could not typeset a widget label:", error);
          });
        }
      },
    };
  });
})();
