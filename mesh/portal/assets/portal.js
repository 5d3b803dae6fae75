/* The mesh docs portal: client-side search and row details. No dependencies, no network.
   Data comes from the inline <script id="mesh-data" type="application/json">; every value is
   written with textContent, never as HTML. */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("mesh-data").textContent);
  var input = document.getElementById("search");
  var panel = document.getElementById("search-panel");
  var list = document.getElementById("search-results");
  var count = document.getElementById("search-count");

  function slug(text) {
    return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  }

  var termText = {};
  data.glossary.forEach(function (t) { termText[t.name] = t.name + " — " + t.description; });
  var productsOf = {};
  data.products.forEach(function (p) {
    p.items.forEach(function (i) {
      if (i.key) { (productsOf[i.key] = productsOf[i.key] || []).push(p); }
    });
  });

  // One document per searchable thing, made of [label, text, tier] fields; a lower tier
  // explains a hit better (a model's name beats its glossary terms beat its prose).
  var docs = [];
  function term(fields, t) {
    fields.push(["glossary term", t, 1]);
    if (termText[t]) { fields.push(["glossary term", termText[t], 3]); }
  }
  data.models.forEach(function (m) {
    var fields = [["name", m.label + " · " + m.key, 0]];
    m.glossary_terms.concat(m.column_terms).forEach(function (t) { term(fields, t); });
    m.columns.forEach(function (c) { fields.push(["column", c.name, 1]); });
    (productsOf[m.key] || []).forEach(function (p) { fields.push(["data product", p.name, 2]); });
    fields.push(["description", m.description, 2]);
    m.columns.forEach(function (c) {
      if (c.description) { fields.push(["column " + c.name, c.description, 3]); }
    });
    (productsOf[m.key] || []).forEach(function (p) {
      if (p.description) { fields.push(["data product " + p.name, p.description, 3]); }
    });
    if (m.owner) { fields.push(["owner", m.owner, 4]); }
    docs.push({ kind: "model", title: m.label, sub: m.domain, href: "#model-" + m.key, key: m.key, fields: fields });
  });
  data.products.forEach(function (p) {
    var fields = [["name", p.name, 0]];
    p.glossary_terms.forEach(function (t) { term(fields, t); });
    fields.push(["description", p.description, 2]);
    p.items.forEach(function (i) { fields.push(["model", i.key || i.ref, 2]); });
    if (p.owner) { fields.push(["owner", p.owner, 4]); }
    docs.push({ kind: "data product", title: p.name, sub: p.domain, href: "#product-" + p.domain + "-" + slug(p.name), product: p, fields: fields });
  });
  data.glossary.forEach(function (t) {
    docs.push({ kind: "glossary term", title: t.name, sub: "", href: "#term-" + slug(t.name), fields: [["name", t.name, 1], ["description", t.description, 3]] });
  });
  docs.forEach(function (d) {
    d.haystack = d.fields.map(function (f) { return f[1]; }).join("\n").toLowerCase();
  });

  var KIND_RANK = { model: 0, "data product": 1, "glossary term": 2 };

  function search(query) {
    var phrase = query.trim().toLowerCase();
    var tokens = phrase.split(/\s+/).filter(Boolean);
    if (!tokens.length) { return []; }
    var hits = [];
    docs.forEach(function (d) {
      if (!tokens.every(function (t) { return d.haystack.indexOf(t) >= 0; })) { return; }
      // The field that explains the hit best: the whole phrase if a field has it, else the
      // first word; an exact match beats a partial one, then the field's tier decides.
      var best = null;
      [phrase, tokens[0]].forEach(function (needle, partial) {
        d.fields.forEach(function (f) {
          var text = f[1].toLowerCase();
          if (text.indexOf(needle) < 0) { return; }
          var score = partial * 100 + (text === needle ? 0 : 1) * 50 + f[2] * 10 + KIND_RANK[d.kind];
          if (!best || score < best.score) { best = { score: score, field: f, needle: needle }; }
        });
      });
      hits.push({ doc: d, score: best.score, field: best.field, needle: best.needle });
    });
    hits.sort(function (a, b) { return a.score - b.score || a.doc.title.localeCompare(b.doc.title); });
    return hits;
  }

  function snippet(text, needle) {
    var span = document.createElement("span");
    var at = text.toLowerCase().indexOf(needle);
    var start = Math.max(0, at - 50);
    if (start > 0) { start = text.indexOf(" ", start) + 1 || start; }
    if (start > at) { start = at; }
    var end = Math.min(text.length, at + needle.length + 70);
    span.appendChild(document.createTextNode((start > 0 ? "…" : "") + text.slice(start, at)));
    var mark = document.createElement("mark");
    mark.textContent = text.slice(at, at + needle.length);
    span.appendChild(mark);
    span.appendChild(document.createTextNode(text.slice(at + needle.length, end) + (end < text.length ? "…" : "")));
    return span;
  }

  function show(query) {
    var hits = search(query);
    var active = query.trim().length > 0;
    list.textContent = "";
    panel.hidden = !active;
    count.textContent = active ? hits.length + (hits.length === 1 ? " result" : " results") : "";
    hits.forEach(function (h) {
      var li = document.createElement("li");
      li.className = "result";
      li.dataset.kind = h.doc.kind;
      if (h.doc.key) { li.dataset.key = h.doc.key; }
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = h.doc.kind;
      var a = document.createElement("a");
      a.href = h.doc.href;
      a.className = "mono strong";
      a.textContent = h.doc.title;
      li.appendChild(kind);
      li.appendChild(a);
      if (h.doc.sub) {
        var chip = document.createElement("span");
        chip.className = "chip";
        chip.textContent = h.doc.sub;
        li.appendChild(chip);
      }
      var why = document.createElement("span");
      why.className = "why";
      why.appendChild(document.createTextNode(h.field[0] + ": "));
      why.appendChild(snippet(h.field[1], h.needle));
      li.appendChild(why);
      list.appendChild(li);
    });
    if (active && !hits.length) {
      var none = document.createElement("li");
      none.className = "none";
      none.textContent = "Nothing matches “" + query.trim() + "”.";
      list.appendChild(none);
    }
    // Filter the page: models table, product cards, lineage nodes.
    var models = {}, products = {};
    hits.forEach(function (h) {
      if (h.doc.key) { models[h.doc.key] = true; }
      if (h.doc.product) { products[h.doc.product.domain + "/" + h.doc.product.name] = true; }
    });
    document.querySelectorAll(".model-row-group").forEach(function (el) {
      var match = models[el.dataset.key] === true;
      el.classList.toggle("search-hidden", active && !match);
      el.classList.toggle("search-match", active && match);
    });
    document.querySelectorAll(".product-card").forEach(function (el) {
      el.classList.toggle("search-hidden", active && !products[el.dataset.domain + "/" + el.dataset.product]);
    });
    document.querySelectorAll(".lineage-node").forEach(function (el) {
      el.classList.toggle("search-match", active && models[el.dataset.key] === true);
    });
  }

  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { show(input.value); }, 60);
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { input.value = ""; show(""); }
  });
  list.addEventListener("click", function () { panel.hidden = true; });

  // Model rows open their column details.
  function toggle(row, open) {
    var detail = row.nextElementSibling;
    var opened = open === undefined ? detail.hidden : open;
    detail.hidden = !opened;
    row.setAttribute("aria-expanded", String(opened));
  }
  document.querySelectorAll(".model-row").forEach(function (row) {
    row.addEventListener("click", function (e) {
      if (e.target.closest("a")) { return; }
      toggle(row);
    });
    row.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toggle(row); }
    });
  });
  function openFromHash() {
    var id = decodeURIComponent(location.hash.slice(1));
    var group = id.indexOf("model-") === 0 ? document.getElementById(id) : null;
    if (group) { toggle(group.querySelector(".model-row"), true); }
  }
  window.addEventListener("hashchange", openFromHash);
  openFromHash();
})();
