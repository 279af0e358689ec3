/*
 * scry's HTML report: draws the page from the JSON block #scry-data that
 * src/output/html.c writes (docs/FORMATS.md, "HTML report").  Plain DOM,
 * SVG and canvas; no library, no network.  Every string from the trace
 * goes into the page as text (textContent, createTextNode, SVG <title>),
 * never as markup, so hostile file names stay inert.
 */
(function () {
	'use strict';
	var D = JSON.parse(document.getElementById('scry-data').textContent);
	var app = document.getElementById('app');
	var SVGNS = 'http://www.w3.org/2000/svg';
	var COLORS = ['#4285f4', '#0f9d58', '#f4b400', '#db4437', '#ab47bc', '#ff7043', '#00acc1', '#9e9e9e', '#607d8b'];

	function el(tag, attrs) {
		var e = document.createElement(tag);
		for (var k in attrs || {}) {
			if (k === 'text') e.textContent = attrs[k];
			else e.setAttribute(k, attrs[k]);
		}
		for (var i = 2; i < arguments.length; i++) {
			var c = arguments[i];
			if (c === null || c === undefined) continue;
			e.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
		}
		return e;
	}
	function sv(tag, attrs, text) {
		var e = document.createElementNS(SVGNS, tag);
		for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
		if (text !== undefined) e.textContent = text;
		return e;
	}
	function tip(node, text) { node.appendChild(sv('title', {}, text)); return node; }
	/* format_ns() of src/stats/summary.c, for the places the C side did not format */
	function ns(v) {
		if (v === null || v === undefined) return '?';
		if (v < 1000) return Math.round(v) + 'ns';
		if (v < 9995) return (v / 1e3).toFixed(2) + 'µs';
		if (v < 999950) return (v / 1e3).toFixed(1) + 'µs';
		if (v < 999999500) return (v / 1e6).toFixed(3) + 'ms';
		return (v / 1e9).toFixed(3) + 's';
	}
	function section(id, title) {
		var s = el('section', { id: id }, el('h2', { text: title }));
		app.appendChild(s);
		return s;
	}
	function note(parent, text) { parent.appendChild(el('p', { 'class': 'note', text: text })); }

	/* A sortable table with an optional filter box: cols are [heading,
	 * kind ('s' text, 'n' number, 'm' monospace text)], rows arrays of
	 * cells: a value, or [shown, sort key]. */
	function table(parent, id, cols, rows, filter) {
		var t = el('table', { id: id });
		var head = el('tr');
		var body = el('tbody');
		var order = rows.slice(), dir = {}, input = null;
		cols.forEach(function (c, i) {
			var th = el('th', { 'class': c[1] === 'n' ? '' : 'l', text: c[0] });
			th.addEventListener('click', function () {
				dir[i] = dir[i] === 1 ? -1 : 1;
				order.sort(function (a, b) {
					var x = key(a[i]), y = key(b[i]);
					return (x < y ? -1 : x > y ? 1 : 0) * dir[i] * (c[1] === 'n' ? -1 : 1);
				});
				fill();
			});
			head.appendChild(th);
		});
		function key(v) { return Array.isArray(v) ? v[1] : v === null ? '' : v; }
		function shown(v) { return Array.isArray(v) ? v[0] : v === null ? '' : v; }
		function fill() {
			var f = input ? input.value.toLowerCase() : '';
			body.textContent = '';
			order.forEach(function (r) {
				if (f && String(shown(r[0])).toLowerCase().indexOf(f) < 0) return;
				var tr = el('tr');
				r.forEach(function (v, i) {
					tr.appendChild(el('td', { 'class': cols[i][1] === 'n' ? '' : cols[i][1] === 'm' ? 'mono' : 'l',
								  text: String(shown(v)) }));
				});
				body.appendChild(tr);
			});
		}
		if (filter) {
			input = el('input', { 'class': 'filter', type: 'search', placeholder: filter, id: id + '-filter' });
			input.addEventListener('input', fill);
			parent.appendChild(input);
		}
		t.appendChild(el('thead', {}, head));
		t.appendChild(body);
		fill();
		parent.appendChild(t);
		return t;
	}

	/* Horizontal bars: items [label, value, text]. */
	function bars(parent, items, color) {
		var max = Math.max.apply(null, items.map(function (x) { return x[1]; }).concat([1]));
		var h = 14, w = 700, lw = 260;
		var s = sv('svg', { width: w, height: items.length * h + 4, 'class': 'bars' });
		items.forEach(function (x, i) {
			var bw = Math.max(1, (w - lw - 90) * x[1] / max);
			s.appendChild(sv('text', { x: 0, y: i * h + 11 }, String(x[0]).slice(0, 40)));
			tip(s.appendChild(sv('rect', { x: lw, y: i * h + 2, width: bw, height: h - 3, fill: color })),
			    x[0] + ': ' + x[2]);
			s.appendChild(sv('text', { x: lw + bw + 4, y: i * h + 11 }, x[2]));
		});
		parent.appendChild(s);
	}

	/* ---- header ---- */
	var H = D.header;
	app.appendChild(el('h1', { text: 'scry report' }));
	var dl = el('dl', { 'class': 'hdr', id: 'header' });
	function hd(k, v) {
		if (v === null || v === undefined || v === '') return;
		dl.appendChild(el('dt', { text: k }));
		dl.appendChild(el('dd', { text: String(v) }));
	}
	hd('command', H.command);
	hd('pids', H.pids);
	hd('backend', H.backend || 'not recorded');
	hd('duration', ns(H.duration_ns));
	hd('started', H.start_time);
	hd('processes', H.processes);
	hd('threads', H.threads);
	hd('calls', H.calls + (H.unfinished ? ' (' + H.unfinished + ' unfinished)' : ''));
	hd('errors', H.errors);
	hd('lost events', H.lost_events);
	hd('latency', H.latency === 'cpu' ? 'CPU time (--cpu-time)' : 'wall clock');
	hd('host', H.host);
	hd('kernel', H.kernel);
	hd('from', D.source);
	hd('scry', H.scry_version);
	app.appendChild(dl);
	if (H.lost_events > 0)
		note(app, H.lost_events + ' events were lost: the counts below miss them.');
	if (H.summary_note) note(app, H.summary_note);

	/* ---- summary ---- */
	var S = section('summary-section', 'Summary');
	var rows = D.summary.rows;
	bars(S, rows.slice(0, 15).map(function (r) { return [r.name, r.total_ns, r.cells[9] + '% ' + r.cells[2]]; }), '#4285f4');
	table(S, 'summary', [['Syscall', 's'], ['Calls', 'n'], ['Errors', 'n'], ['Total Time', 'n'], ['Avg Time', 'n'],
			     ['p50', 'n'], ['p90', 'n'], ['p99', 'n'], ['Max', 'n'], ['% Time', 'n']],
	      rows.map(function (r) {
		      var k = [r.calls, r.errors, r.total_ns, r.avg_ns, r.p50_ns, r.p90_ns, r.p99_ns, r.max_ns, r.percent];
		      return [r.name].concat(r.cells.map(function (c, i) { return [c, k[i]]; }));
	      }), 'filter syscalls');
	note(S, 'total: ' + D.summary.total.calls + ' calls, ' + D.summary.total.errors + ' errors, ' +
	     ns(D.summary.total.total_ns) + '; percentiles from scry\'s log-linear histograms (within 0.8 %).');

	/* ---- histograms ---- */
	var HS = section('histograms', 'Latency histograms');
	note(HS, 'Per syscall: x is the latency on a log scale, y the number of calls on a log scale ' +
	     '(scry\'s log-linear buckets, merged to 8 per power of two).');
	var grid = el('div', { 'class': 'grid' });
	HS.appendChild(grid);
	var HMAX = 60;
	rows.slice(0, HMAX).forEach(function (r) {
		var b = {};
		(r.hist || []).forEach(function (x) {
			var k = x[0] < 1 ? 0 : Math.floor(Math.log2(x[0]) * 8);
			b[k] = (b[k] || 0) + x[1];
		});
		var keys = Object.keys(b).map(Number).sort(function (a, c) { return a - c; });
		var W = 300, Hh = 90, box = el('div', { 'class': 'hist' });
		box.appendChild(el('div', { 'class': 't', text: r.name + '  n=' + r.calls + '  p50=' + r.cells[4] + '  p99=' + r.cells[6] }));
		var s = sv('svg', { width: W, height: Hh + 14 });
		if (keys.length) {
			var k0 = keys[0], k1 = keys[keys.length - 1] + 1;
			var maxc = Math.max.apply(null, keys.map(function (k) { return b[k]; }));
			var bw = (W - 4) / Math.max(1, k1 - k0);
			keys.forEach(function (k) {
				var h = Math.max(1, Hh * Math.log10(1 + b[k]) / Math.log10(1 + maxc));
				tip(s.appendChild(sv('rect', { x: 2 + (k - k0) * bw, y: Hh - h, width: Math.max(1, bw - 0.5), height: h, fill: '#4285f4' })),
				    '≥' + ns(Math.pow(2, k / 8)) + ': ' + b[k] + ' calls');
			});
			s.appendChild(sv('text', { x: 2, y: Hh + 12 }, ns(Math.pow(2, k0 / 8))));
			s.appendChild(sv('text', { x: W - 2, y: Hh + 12, 'text-anchor': 'end' }, ns(Math.pow(2, k1 / 8))));
		}
		box.appendChild(s);
		grid.appendChild(box);
	});
	if (rows.length > HMAX) note(HS, 'The ' + HMAX + ' syscalls with most time are drawn; ' + (rows.length - HMAX) + ' more are in the table.');

	/* ---- timeline ---- */
	var T = D.timeline, C = D.calls;
	var TS = section('timeline', 'Timeline');
	var legend = el('div', { 'class': 'legend' });
	T.classes.forEach(function (c, i) { legend.appendChild(el('span', { 'class': 'c' + i })); legend.appendChild(document.createTextNode(c)); });
	var bar = el('div', { 'class': 'tlbar' });
	var bIn = el('button', { text: 'zoom in (W)' }), bOut = el('button', { text: 'zoom out (S)' }), bAll = el('button', { text: 'whole trace' });
	var range = el('span', { 'class': 'note' });
	[bIn, bOut, bAll, range, legend].forEach(function (x) { bar.appendChild(x); });
	TS.appendChild(bar);
	note(TS, 'One lane per thread, grouped by process.  Wheel or W/S zooms, drag or A/D pans.  ' +
	     (C.rows.length < C.total ? 'The first ' + C.rows.length + ' of ' + C.total + ' calls are drawn one by one ' +
	      '(hover for the decoded call); beyond them each lane shows how busy the thread was in ' + T.buckets +
	      ' time buckets, coloured by the class of its longest call.' : 'Every call is drawn; hover for the decoded call.'));
	if (T.lanes.length < T.threads) note(TS, 'The first ' + T.lanes.length + ' of ' + T.threads + ' threads have lanes.');
	var wrap = el('div', { 'class': 'tlwrap' }), labels = el('div', { 'class': 'lanes', id: 'lanes' });
	var cwrap = el('div', { 'class': 'tlcanvas' }), cv = el('canvas', { id: 'timeline-canvas' });
	cwrap.appendChild(cv);
	wrap.appendChild(labels);
	wrap.appendChild(cwrap);
	TS.appendChild(wrap);
	var tipEl = el('div', { 'class': 'tip' });
	document.body.appendChild(tipEl);
	var comm = {};
	D.processes.forEach(function (p) { comm[p[0]] = p[2]; });
	var rowsY = [], laneOf = {}, y = 0, lastPid = null, LH = 18;
	T.lanes.forEach(function (l, i) {
		if (l.pid !== lastPid) {
			labels.appendChild(el('div', { 'class': 'lane-group', 'data-pid': l.pid,
						       text: 'process ' + l.pid + (comm[l.pid] ? ' ' + comm[l.pid] : '') }));
			y += LH;
			lastPid = l.pid;
		}
		labels.appendChild(el('div', { 'class': 'lane', 'data-tid': l.tid, 'data-pid': l.pid,
					       text: 'thread ' + l.tid + '  (' + l.calls + ' calls)' }));
		rowsY[i] = y;
		laneOf[l.tid] = i;
		y += LH;
	});
	var totalH = Math.min(Math.max(y, LH), 30000);
	var span = Math.max(1, H.duration_ns), v0 = 0, v1 = span;
	/* the calls by lane, in time order, for drawing and hit tests */
	var byLane = T.lanes.map(function () { return []; });
	var shownEnd = 0;
	C.rows.forEach(function (c) {
		var i = laneOf[c[0]];
		if (i !== undefined) byLane[i].push(c);
		if (c[1] > shownEnd) shownEnd = c[1];
	});
	if (C.rows.length >= C.total) shownEnd = span;
	function draw() {
		var W = Math.max(200, cwrap.clientWidth || 800);
		var dpr = window.devicePixelRatio || 1;
		cv.width = W * dpr; cv.height = totalH * dpr;
		cv.style.width = W + 'px'; cv.style.height = totalH + 'px';
		var g = cv.getContext('2d');
		g.setTransform(dpr, 0, 0, dpr, 0, 0);
		g.clearRect(0, 0, W, totalH);
		var k = W / (v1 - v0);
		range.textContent = ns(v0) + ' – ' + ns(v1) + ' of ' + ns(span);
		T.lanes.forEach(function (l, i) {
			var ly = rowsY[i];
			if (ly === undefined || ly > totalH) return;
			g.fillStyle = i % 2 ? '#fafafa' : '#fff';
			g.fillRect(0, ly, W, LH);
			/* density cells where the calls are not shipped one by one */
			l.cells.forEach(function (c) {
				var a = c[0] * T.bucket_ns, b = a + T.bucket_ns;
				if (b < v0 || a > v1 || (a < shownEnd && C.rows.length)) return;
				g.globalAlpha = Math.min(1, 0.25 + c[2] / T.bucket_ns);
				g.fillStyle = COLORS[c[3]] || COLORS[8];
				g.fillRect((a - v0) * k, ly + 3, Math.max(1, (b - a) * k), LH - 6);
			});
			g.globalAlpha = 1;
			byLane[i].forEach(function (c) {
				var a = c[1], d = c[2] === null ? span - a : c[2];
				if (a + d < v0 || a > v1) return;
				g.fillStyle = COLORS[c[3]] || COLORS[8];
				g.fillRect((a - v0) * k, ly + 2, Math.max(1, d * k), LH - 4);
				if (c[4]) { g.fillStyle = '#d93025'; g.fillRect((a - v0) * k, ly + LH - 4, Math.max(2, d * k), 2); }
			});
		});
	}
	function hit(ev) {
		var r = cv.getBoundingClientRect(), x = ev.clientX - r.left, yy = ev.clientY - r.top;
		var i = -1;
		rowsY.forEach(function (ly, j) { if (yy >= ly && yy < ly + LH) i = j; });
		if (i < 0) return null;
		var t = v0 + x * (v1 - v0) / r.width, slack = 3 * (v1 - v0) / r.width, best = null;
		byLane[i].forEach(function (c) {
			var d = c[2] === null ? span - c[1] : c[2];
			if (t >= c[1] - slack && t <= c[1] + d + slack) best = c;
		});
		if (best) return best[6] + '\n' + ns(best[2]) + (best[5] ? ' (unfinished)' : '') + ' at +' + ns(best[1]) + ', thread ' + best[0];
		var l = T.lanes[i], b = Math.floor(t / T.bucket_ns);
		for (var q = 0; q < l.cells.length; q++)
			if (l.cells[q][0] === b) return 'thread ' + l.tid + ': ' + l.cells[q][1] + ' calls, busy ' + ns(l.cells[q][2]) + ' in ' + ns(T.bucket_ns);
		return null;
	}
	function zoom(f, at) {
		var c = at === undefined ? (v0 + v1) / 2 : at, w = Math.min(span, Math.max(1000, (v1 - v0) * f));
		v0 = Math.max(0, c - (c - v0) * w / (v1 - v0)); v1 = Math.min(span, v0 + w); v0 = Math.max(0, v1 - w);
		draw();
	}
	function pan(f) { var w = v1 - v0, d = w * f; v0 = Math.min(Math.max(0, v0 + d), span - w); v1 = v0 + w; draw(); }
	cv.addEventListener('wheel', function (ev) {
		ev.preventDefault();
		var r = cv.getBoundingClientRect();
		zoom(ev.deltaY < 0 ? 0.8 : 1.25, v0 + (ev.clientX - r.left) * (v1 - v0) / r.width);
	}, { passive: false });
	var drag = null;
	cv.addEventListener('mousedown', function (ev) { drag = { x: ev.clientX, v0: v0 }; });
	window.addEventListener('mouseup', function () { drag = null; });
	cv.addEventListener('mousemove', function (ev) {
		if (drag) {
			var w = v1 - v0, d = (drag.x - ev.clientX) * w / cv.getBoundingClientRect().width;
			v0 = Math.min(Math.max(0, drag.v0 + d), span - w); v1 = v0 + w; draw();
			return;
		}
		var t = hit(ev);
		tipEl.style.display = t ? 'block' : 'none';
		if (t) { tipEl.textContent = t; tipEl.style.left = (ev.clientX + 12) + 'px'; tipEl.style.top = (ev.clientY + 12) + 'px'; }
	});
	cv.addEventListener('mouseleave', function () { tipEl.style.display = 'none'; });
	document.addEventListener('keydown', function (ev) {
		if (ev.target && ev.target.tagName === 'INPUT') return;
		var k = ev.key.toLowerCase();
		if (k === 'w') zoom(0.8); else if (k === 's') zoom(1.25); else if (k === 'a') pan(-0.2); else if (k === 'd') pan(0.2);
	});
	bIn.addEventListener('click', function () { zoom(0.5); });
	bOut.addEventListener('click', function () { zoom(2); });
	bAll.addEventListener('click', function () { v0 = 0; v1 = span; draw(); });
	window.addEventListener('resize', draw);
	draw();

	/* ---- processes ---- */
	var PS = section('processes', 'Processes');
	var P = D.processes, kids = {}, byPid = {}, execs = {};
	D.execs.forEach(function (e) { (execs[e[0]] = execs[e[0]] || []).push(e[2]); });
	P.forEach(function (p) { byPid[p[0]] = p; });
	var roots = [];
	P.forEach(function (p) { if (p[1] !== null && byPid[p[1]]) (kids[p[1]] = kids[p[1]] || []).push(p); else roots.push(p); });
	var ordered = [];
	(function walk(list, depth) { list.forEach(function (p) { ordered.push([p, depth]); walk(kids[p[0]] || [], depth + 1); }); })(roots, 0);
	function status(p) { return p[6] ? 'killed by ' + p[6] : p[5] !== null ? 'exit ' + p[5] : 'running at the end'; }
	var t0 = H.start_ns, ps = sv('svg', { width: 900, height: ordered.length * 16 + 4, id: 'process-tree' });
	ordered.slice(0, 500).forEach(function (x, i) {
		var p = x[0], d = x[1], a = p[3] ? p[3] - t0 : 0, b = p[4] ? p[4] - t0 : span, lx = 300;
		var k = (900 - lx - 10) / span, col = p[6] ? '#db4437' : p[5] === null ? '#9e9e9e' : p[5] ? '#f4b400' : '#0f9d58';
		ps.appendChild(sv('text', { x: 4 + d * 12, y: i * 16 + 12 }, (d ? '└ ' : '') + p[0] + ' ' + (p[2] || '')));
		tip(ps.appendChild(sv('rect', { x: lx + a * k, y: i * 16 + 3, width: Math.max(2, (b - a) * k), height: 11, fill: col })),
		    'pid ' + p[0] + ' ' + (p[2] || '') + ': ' + status(p) + ', ' + ns(b - a));
	});
	PS.appendChild(ps);
	table(PS, 'process-table', [['PID', 'n'], ['Parent', 'n'], ['Command', 'm'], ['Exec\'d', 'm'], ['Start', 'n'],
				    ['Duration', 'n'], ['Threads', 'n'], ['Calls', 'n'], ['Status', 's']],
	      ordered.map(function (x) {
		      var p = x[0], a = p[3] ? p[3] - t0 : 0, d = p[4] && p[3] ? p[4] - p[3] : null;
		      return [p[0], p[1], p[2], (execs[p[0]] || []).join(' → '), ['+' + ns(a), a],
			      [d === null ? '' : ns(d), d === null ? -1 : d], p[7], p[8], status(p)];
	      }));

	/* ---- errors ---- */
	var ES = section('errors', 'Errors');
	if (!D.errors.length) note(ES, 'No call failed.');
	else {
		bars(ES, D.errors.slice(0, 15).map(function (e) { return [e[0] + ' ' + e[1] + ' ' + (e[2] || ''), e[3], e[3] + ' calls']; }), '#db4437');
		table(ES, 'error-table', [['Syscall', 's'], ['Errno', 's'], ['Path', 'm'], ['Calls', 'n'], ['Total Time', 'n']],
		      D.errors.map(function (e) { return [e[0], e[1], e[2], e[3], [ns(e[4]), e[4]]]; }), 'filter errors');
		if (D.error_groups > D.errors.length) note(ES, 'The ' + D.errors.length + ' largest of ' + D.error_groups + ' groups are shown.');
		note(ES, 'Path: the first quoted string of the call\'s arguments, as strace writes it.');
	}

	/* A flame graph of tree root (nodes {n: name, v: count, t: ns, c: children})
	 * into parent: root at the top; click a frame to zoom, the root to go back. */
	var flameGraph = function (parent, flameRoot, id, label) {
		var FW = 1100, FH = 16, fs = sv('svg', { width: FW, 'class': 'flame', id: id });
		parent.appendChild(fs);
		var drawFlame = function (root) {
			fs.textContent = '';
			var maxd = 0;
			(function lay(n, x, w, d) {
				if (w < 0.5) return;
				if (d > maxd) maxd = d;
				var hue = 20 + (n.n.length * 37) % 40;
				var r = tip(sv('rect', { x: x, y: d * FH, width: w, height: FH - 1, fill: 'hsl(' + hue + ',85%,' + (55 + d % 3 * 5) + '%)' }),
					    n.n + '\n' + label(n));
				r.addEventListener('click', function () { drawFlame(n === root ? flameRoot : n); });
				fs.appendChild(r);
				if (w > 30) fs.appendChild(sv('text', { x: x + 3, y: d * FH + 11 }, n.n.slice(0, Math.floor(w / 6.5))));
				var cx = x;
				(n.c || []).slice().sort(function (a, b) { return b.v - a.v; }).forEach(function (c) {
					var cw = w * c.v / Math.max(1, n.v);
					lay(c, cx, cw, d + 1);
					cx += cw;
				});
			})(root, 0, FW, 0);
			fs.setAttribute('height', (maxd + 1) * FH + 2);
		};
		drawFlame(flameRoot);
	};

	/* ---- stacks ---- */
	var FS = section('stacks', 'Stacks');
	if (!D.flame) note(FS, 'This trace has no stacks (record with -k or --source to see the calls by stack and by source line).');
	else {
		note(FS, 'Calls by stack (width: number of calls; root at the top, the syscall at the bottom).  Click a frame to zoom, click the root to go back.');
		flameGraph(FS, D.flame, 'flame', function (n) { return n.v + ' calls, ' + ns(n.t); });
		if (D.flame_cut) note(FS, D.flame_cut + ' calls had stacks beyond the tree\'s size limit and are counted at their deepest shown frame.');
		FS.appendChild(el('h2', { text: 'By source line' }));
		table(FS, 'source-table', [['Syscall', 's'], ['File', 'm'], ['Line', 'n'], ['Function', 'm'], ['Object', 'm'],
					   ['Calls', 'n'], ['Errors', 'n'], ['Total Time', 'n'], ['Max', 'n']],
		      D.sources.map(function (s) { return [s[0], s[1], s[2], s[3], s[4], s[5], s[6], [ns(s[7]), s[7]], [ns(s[8]), s[8]]]; }),
		      'filter');
	}
	if (D.samples) {
		FS.appendChild(el('h2', { text: 'CPU samples' }));
		note(FS, 'Where the CPU time went, sampled beside the calls (scry --profile): width is the number of samples; root at the top, the function on the CPU at the bottom.  Click a frame to zoom, click the root to go back.');
		flameGraph(FS, D.samples, 'samples-flame', function (n) { return n.v + ' samples, ' + ns(n.t) + ' of CPU'; });
		if (D.samples_cut) note(FS, D.samples_cut + ' samples had stacks beyond the tree\'s size limit and are counted at their deepest shown frame.');
	} else note(FS, 'CPU samples: none in this database (record with --profile to see where the CPU time goes beside the calls).');

	/* ---- the calls, paged ---- */
	var CS = section('calls', 'Calls');
	note(CS, C.rows.length < C.total ? 'The first ' + C.rows.length + ' of ' + C.total + ' calls, by start time (the page carries at most ' +
	     C.cap + '; scry report TRACE.db prints them all).' : 'All ' + C.total + ' calls, by start time.');
	var PAGE = 200, page = 0, pages = Math.max(1, Math.ceil(C.rows.length / PAGE));
	var pager = el('div', { 'class': 'pager' }), prev = el('button', { text: '◀ previous' }), next = el('button', { text: 'next ▶' }), pinfo = el('span');
	[prev, pinfo, next].forEach(function (x) { pager.appendChild(x); });
	CS.appendChild(pager);
	var ct = el('table', { id: 'call-table' }), cb = el('tbody');
	ct.appendChild(el('thead', {}, el('tr', {}, el('th', { text: 'Start' }), el('th', { text: 'Thread' }), el('th', { text: 'Duration' }),
						el('th', { 'class': 'l', text: 'Call' }))));
	ct.appendChild(cb);
	CS.appendChild(ct);
	function showPage() {
		cb.textContent = '';
		pinfo.textContent = 'page ' + (page + 1) + ' of ' + pages;
		C.rows.slice(page * PAGE, page * PAGE + PAGE).forEach(function (c) {
			cb.appendChild(el('tr', {}, el('td', { text: '+' + ns(c[1]) }), el('td', { text: String(c[0]) }),
					  el('td', { text: c[5] ? 'unfinished' : ns(c[2]) }), el('td', { 'class': 'mono', text: c[6] })));
		});
	}
	prev.addEventListener('click', function () { if (page > 0) { page--; showPage(); } });
	next.addEventListener('click', function () { if (page + 1 < pages) { page++; showPage(); } });
	showPage();

	document.documentElement.setAttribute('data-scry-ready', '1');
})();
