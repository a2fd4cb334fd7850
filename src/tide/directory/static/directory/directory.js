// Find an RMT: the map of the clinics (Leaflet), only when a tile server is configured.
// Search results update through htmx without this file; it only (re)draws the map.
(function () {
  "use strict";
  let map = null;

  function points() {
    const data = document.getElementById("directory-map-points");
    if (data) return JSON.parse(data.textContent);
    return Array.from(document.querySelectorAll(".profile__location[data-lat]")).map((el) => ({
      lat: parseFloat(el.dataset.lat),
      lng: parseFloat(el.dataset.lng),
      name: (el.querySelector("h3") || {}).textContent || "",
    }));
  }

  function draw() {
    const element = document.getElementById("directory-map");
    if (map) { map.remove(); map = null; }
    if (!element || !window.L) return;
    const shown = points().filter((p) => !Number.isNaN(p.lat));
    if (!shown.length) { element.hidden = true; return; }
    map = window.L.map(element, { scrollWheelZoom: false });
    window.L.tileLayer(element.dataset.tiles, {
      maxZoom: 18,
      attribution: "&copy; OpenStreetMap contributors",
    }).addTo(map);
    const markers = shown.map((p) => {
      const marker = window.L.marker([p.lat, p.lng], { title: p.name, alt: p.name });
      if (p.url) {
        const link = document.createElement("a");
        link.href = p.url;
        link.textContent = p.name;
        marker.bindPopup(link);
      }
      return marker.addTo(map);
    });
    map.fitBounds(window.L.featureGroup(markers).getBounds(), { maxZoom: 13, padding: [24, 24] });
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
})();
