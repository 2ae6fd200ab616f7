// A classic (not module) script: opened from file://, the browser refuses the page's module
// script and its worker, so nothing would happen. Say so, and how to serve the page instead.
(function () {
  if (location.protocol !== 'file:') return;
  var note = document.getElementById('served-note');
  if (!note) return;
  note.hidden = false;
  document.body.setAttribute('data-state', 'file');
})();
