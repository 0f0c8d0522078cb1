// The player: every element of the drawing is already in the page; a frame only changes styles.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("gt-data").textContent);
  var player = document.getElementById("gt-player");
  var slider = document.getElementById("gt-slider");
  var counter = document.getElementById("gt-counter");
  var caption = document.getElementById("gt-caption");
  var playButton = document.getElementById("gt-play");
  var count = data.captions.length;
  var items = data.items.map(function (item) {
    return { el: document.getElementById(item[0]), changes: item[1], css: item[2], state: item[3] };
  });
  var frame = 0;
  var timer = null;
  slider.max = String(count - 1);

  function stateAt(item, k) {
    var css = item.css, state = item.state;
    for (var i = 0; i < item.changes.length; i++) {
      var change = item.changes[i];
      if (change[0] > k) break;
      css = change[1];
      state = change[2];
    }
    return [css, state];
  }

  function show(k) {
    frame = Math.max(0, Math.min(count - 1, k));
    for (var i = 0; i < items.length; i++) {
      var item = items[i];
      if (!item.el) continue;
      var now = stateAt(item, frame);
      item.el.setAttribute("style", data.styles[now[0]]);
      item.el.setAttribute("data-gt-state", now[1]);
    }
    caption.textContent = data.captions[frame];
    slider.value = String(frame);
    counter.textContent = (frame + 1) + " / " + count;
    player.setAttribute("data-frame", String(frame));
    player.setAttribute("data-current", data.current[frame] || "");
  }

  function pause() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    playButton.textContent = "Play";
  }

  function play() {
    if (frame >= count - 1) show(0);
    playButton.textContent = "Pause";
    timer = setInterval(function () {
      show(frame + 1);
      if (frame >= count - 1) pause();
    }, data.interval);
  }

  document.getElementById("gt-first").addEventListener("click", function () { pause(); show(0); });
  document.getElementById("gt-prev").addEventListener("click", function () { pause(); show(frame - 1); });
  document.getElementById("gt-next").addEventListener("click", function () { pause(); show(frame + 1); });
  document.getElementById("gt-last").addEventListener("click", function () { pause(); show(count - 1); });
  playButton.addEventListener("click", function () { if (timer === null) play(); else pause(); });
  slider.addEventListener("input", function () { pause(); show(parseInt(slider.value, 10)); });
  document.addEventListener("keydown", function (event) {
    if (event.target && event.target.tagName === "INPUT" && event.target.type !== "range") return;
    if (event.key === "ArrowRight") { pause(); show(frame + 1); event.preventDefault(); }
    else if (event.key === "ArrowLeft") { pause(); show(frame - 1); event.preventDefault(); }
    else if (event.key === "Home") { pause(); show(0); event.preventDefault(); }
    else if (event.key === "End") { pause(); show(count - 1); event.preventDefault(); }
    else if (event.key === " ") { if (timer === null) play(); else pause(); event.preventDefault(); }
  });
  show(0);
})();
