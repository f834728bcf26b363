/*
 * A self-contained HTML page (one file, no network) that steps through a
 * trace: the trace text with the current step highlighted, and for each step
 * its log lines (and the kernel's, when annotated), what happened inside it,
 * every epoll instance drawn (tree, rdllist, ovflist, wq) and the files'
 * readiness and wait queues. Previous/next buttons and the arrow keys move.
 * The page is well-formed XHTML as well as HTML, so xmllint checks it.
 */
#include <string.h>
#include "diagram.h"
#include "diagram_draw.h"

static const char html_style[] =
	"body{font-family:'DejaVu Sans',Arial,sans-serif;margin:0;color:#222;background:#fafafa}\n"
	"header{position:sticky;top:0;background:#263238;color:#fff;padding:8px 16px;z-index:2}\n"
	"header h1{font-size:17px;margin:0 0 6px 0;font-weight:normal}\n"
	"button{font:inherit;font-size:14px;padding:3px 12px;margin-right:6px;cursor:pointer}\n"
	"#counter{display:inline-block;min-width:120px;font-family:'DejaVu Sans Mono',monospace}\n"
	".hint{color:#b0bec5;font-size:12px;margin-left:10px}\n"
	"main{display:flex;gap:16px;padding:12px 16px;align-items:flex-start}\n"
	".trace{flex:0 0 auto;max-width:40%;position:sticky;top:70px;max-height:85vh;overflow:auto}\n"
	".state{flex:1 1 auto;min-width:0}\n"
	"h2{font-size:15px;margin:4px 0 8px 0}h3{font-size:13px;margin:14px 0 4px 0;color:#455a64}\n"
	"pre,code,td,.probes{font-family:'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:12px}\n"
	"pre{margin:0;background:#fff;border:1px solid #ddd;padding:6px;overflow-x:auto}\n"
	"#source .line{display:block;padding:0 4px}\n"
	"#source .line.op{cursor:pointer}#source .line.cur{background:#fff176}\n"
	"#source .line.done{color:#777}\n"
	"#source .ln{display:inline-block;width:3em;color:#999;text-align:right;margin-right:8px}\n"
	".log .diverge,.kernel .diverge{color:#c62828;font-weight:bold}\n"
	".probes{margin:0;padding-left:22px}\n"
	"table{border-collapse:collapse;background:#fff}td,th{border:1px solid #ccc;padding:2px 6px;"
	"text-align:left;vertical-align:top}th{font-size:12px}\n"
	"svg.instance{background:#fff;border:1px solid #ddd;display:block}\n"
	"svg text{font-family:'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:12px;fill:#222}\n"
	".node rect{stroke:#555;stroke-width:1}.node.red rect{fill:#c62828}.node.black rect{fill:#212121}\n"
	".node.queued rect{stroke:#1e88e5;stroke-width:4}.node.ovf rect{stroke:#8e24aa;stroke-width:4}\n"
	".node.txlist rect{stroke:#90a4ae;stroke-width:4;stroke-dasharray:4 2}\n"
	".node text{fill:#fff;text-anchor:middle}.node .nm{font-weight:bold}.node .fd{font-size:10px}\n"
	".node .pos{fill:#1565c0;text-anchor:end;font-weight:bold}\n"
	".nil rect{fill:#424242}.nil text{fill:#fff;font-size:8px;text-anchor:middle}\n"
	".edge{stroke:#777;stroke-width:1.5}.link{stroke:#555;stroke-width:1.5}\n"
	".chain rect{fill:#bbdefb;stroke:#1565c0}.chain.wq rect,.chain.poll_wait rect{fill:#ffe0b2;"
	"stroke:#e65100}.chain.ovflist rect{fill:#e1bee7;stroke:#6a1b9a}\n"
	".chain .head{font-weight:bold}.chain .empty{fill:#888}\n";

/* The page's only script: show one step at a time. */
static const char html_script[] =
	"(function () {\n"
	"  var steps = document.querySelectorAll('.step');\n"
	"  var lines = document.querySelectorAll('#source .line');\n"
	"  var counter = document.getElementById('counter');\n"
	"  var cur = Number(document.body.getAttribute('data-start')) - 1;\n"
	"  function show(i) {\n"
	"    if (i < 0 || i >= steps.length) return;\n"
	"    cur = i;\n"
	"    var now = Number(steps[i].getAttribute('data-step'));\n"
	"    for (var k = 0; k < steps.length; k++) steps[k].hidden = k !== i;\n"
	"    for (var j = 0; j < lines.length; j++) {\n"
	"      var s = Number(lines[j].getAttribute('data-step'));\n"
	"      lines[j].classList.toggle('cur', s === now);\n"
	"      lines[j].classList.toggle('done', s > 0 && s < now);\n"
	"    }\n"
	"    counter.textContent = 'step ' + steps[i].getAttribute('data-step') + ' / ' +\n"
	"      document.body.getAttribute('data-last');\n"
	"    var line = document.querySelector('#source .line.cur');\n"
	"    if (line && line.scrollIntoView) line.scrollIntoView({block: 'nearest'});\n"
	"  }\n"
	"  document.getElementById('prev').addEventListener('click', function () { show(cur - 1); });\n"
	"  document.getElementById('next').addEventListener('click', function () { show(cur + 1); });\n"
	"  for (var j = 0; j < lines.length; j++) lines[j].addEventListener('click', function () {\n"
	"    var s = Number(this.getAttribute('data-step'));\n"
	"    for (var k = 0; k < steps.length; k++)\n"
	"      if (Number(steps[k].getAttribute('data-step')) === s) show(k);\n"
	"  });\n"
	"  document.addEventListener('keydown', function (e) {\n"
	"    if (e.key === 'ArrowRight' || e.key === 'ArrowDown') { show(cur + 1); e.preventDefault(); }\n"
	"    else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') { show(cur - 1); e.preventDefault(); }\n"
	"    else if (e.key === 'Home') show(0);\n"
	"    else if (e.key === 'End') show(steps.length - 1);\n"
	"  });\n"
	"  show(cur);\n"
	"})();\n";

/* The step drawn (1-based) that is written on a source line, 0 if none. */
static size_t html_line_step(const struct dg_recording *rec, size_t line)
{
	for (size_t s = rec->from; s < rec->to; s++)
		if ((size_t)rec->t->steps[s].loc.line == line)
			return s + 1;
	return 0;
}

static void html_source(const struct dg_recording *rec, FILE *out)
{
	fputs("<section class=\"trace\"><h2>", out);
	dg_xml(out, rec->title);
	fputs("</h2><pre id=\"source\">", out);
	for (size_t i = 0; i < rec->nsource; i++) {
		size_t s = html_line_step(rec, i + 1);
		fprintf(out, "<span class=\"line%s\" data-step=\"%zu\"><span class=\"ln\">%zu</span>",
			s ? " op" : "", s, i + 1);
		dg_xml(out, rec->source[i]);
		fputs("</span>", out);
	}
	fputs("</pre></section>\n", out);
}

static void html_log(const struct dg_recording *rec, size_t s, FILE *out)
{
	const struct dg_step *st = &rec->steps[s];
	char line[10240];
	size_t from, to;

	dg_step_entries(rec, s, &from, &to);
	fputs("<h3>log (simulator)</h3><pre class=\"log\">", out);
	for (size_t i = from; i < to; i++) {
		run_entry_line(&rec->res.log.entries[i], line, sizeof(line));
		fprintf(out, "%s", i > from ? "\n" : "");
		dg_xml(out, line);
	}
	fputs("</pre>\n", out);
	if (!rec->has_kernel)
		return;
	fputs("<h3>log (", out);
	dg_xml(out, rec->kernel_label);
	fprintf(out, ")%s</h3><pre class=\"kernel\"><span class=\"%s\">",
		st->kernel_differs ? ": differs" : ": the same", st->kernel_differs ? "diverge" : "same");
	for (size_t i = 0; i < st->nkernel; i++) {
		fputs(i ? "\n" : "", out);
		dg_xml(out, st->kernel[i]);
	}
	fputs("</span></pre>\n", out);
}

static void html_probes(const struct dg_recording *rec, size_t s, FILE *out)
{
	const struct dg_step *st = &rec->steps[s];
	char text[256];

	fputs("<h3>inside the step</h3>", out);
	if (!st->nprobes) {
		fputs("<p class=\"probes\">no callback, sleep, wake-up or delivery</p>\n", out);
		return;
	}
	fputs("<ol class=\"probes\">", out);
	for (size_t i = 0; i < st->nprobes; i++) {
		const struct dg_probe *p = &st->probes[i];
		dg_probe_text(rec, p, text, sizeof(text));
		fputs("<li>", out);
		for (int c = p->cause; c >= 0; c = st->probes[c].cause)
			fputs("&#8627; ", out);
		fprintf(out, "%s: ", dg_thread_name(rec, p->ctx));
		dg_xml(out, text);
		fputs("</li>", out);
	}
	fputs("</ol>\n", out);
}

static void html_instances(const struct dg_recording *rec, size_t s, FILE *out)
{
	const struct world_snapshot *snap = &rec->steps[s].snap;
	char name[64];

	for (size_t e = 0; e < snap->neps; e++) {
		if (!dg_drawn(rec, snap->eps[e].file_id))
			continue;
		dg_epoll_label(rec, s, &snap->eps[e], name, sizeof(name));
		fputs("<h3>epoll instance ", out);
		dg_xml(out, name);
		fprintf(out, " (%zu item%s)</h3>\n", snap->eps[e].nitems,
			snap->eps[e].nitems == 1 ? "" : "s");
		dg_svg_instance(rec, s, &snap->eps[e], out);
	}
}

static void html_queue(const struct dg_recording *rec, size_t s, const struct snap_waitq *q,
		       FILE *out)
{
	char name[64];

	fprintf(out, "%s:", q->name);
	if (!q->nwaiters)
		fputs(" -", out);
	for (size_t i = 0; i < q->nwaiters; i++) {
		const struct snap_waiter *w = &q->waiters[i];
		const struct snap_epoll *ep = dg_epoll_by_id(&rec->steps[s].snap, w->ep_id);
		if (w->kind == SNAP_WAITER_EPITEM && ep)
			dg_epoll_label(rec, s, ep, name, sizeof(name));
		fputs(" ", out);
		dg_xml(out, w->kind == SNAP_WAITER_TASK ? w->task :
			    w->kind == SNAP_WAITER_EPITEM && ep ? name : "?");
		fputs(w->kind == SNAP_WAITER_EPITEM ? " (epitem)" : w->exclusive ? " (excl)" : "", out);
	}
	fputs("<br/>", out);
}

static void html_files(const struct dg_recording *rec, size_t s, FILE *out)
{
	const struct world_snapshot *snap = &rec->steps[s].snap;
	char name[64], mask[160];

	if (!snap->nfiles)
		return;
	fputs("<h3>files</h3><table><tr><th>file</th><th>type</th><th>poll now</th>"
	      "<th>references</th><th>wait queues</th></tr>\n",
	      out);
	for (size_t i = 0; i < snap->nfiles; i++) {
		const struct snap_file *f = &snap->files[i];
		if (!dg_drawn(rec, f->id))
			continue;
		dg_file_label(rec, s, f->id, name, sizeof(name));
		dg_events(f->ready, mask, sizeof(mask));
		fputs("<tr><td>", out);
		dg_xml(out, name);
		fprintf(out, "</td><td>%s</td><td>%s</td><td>%ld</td><td>", f->type,
			f->has_peek ? mask : "?", f->f_count);
		for (size_t q = 0; q < f->nqueues; q++)
			html_queue(rec, s, &f->queues[q], out);
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n", out);
}

static void html_step(const struct dg_recording *rec, size_t s, size_t start, FILE *out)
{
	char call[600];

	dg_step_call(rec, s, call, sizeof(call));
	fprintf(out, "<div class=\"step\" data-step=\"%zu\"%s>\n<h2>after step %zu: <code>", s + 1,
		s + 1 == start ? "" : " hidden=\"hidden\"", s + 1);
	dg_xml(out, call);
	fputs("</code></h2>\n", out);
	html_log(rec, s, out);
	html_probes(rec, s, out);
	html_instances(rec, s, out);
	html_files(rec, s, out);
	fputs("</div>\n", out);
}

void dg_html(const struct dg_recording *rec, size_t step, FILE *out)
{
	size_t start = step > rec->from && step <= rec->to ? step : rec->from + 1;

	fputs("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
	      "<meta charset=\"utf-8\"/>\n<title>epsim: ",
	      out);
	dg_xml(out, rec->title);
	fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body data-start=\"%zu\" "
		     "data-last=\"%zu\">\n",
		html_style, start - rec->from, rec->nsteps);
	fputs("<header><h1>epsim diagram: ", out);
	dg_xml(out, rec->title);
	fputs(rec->has_kernel ? " on the simulator, with the kernel's log" : " on the simulator", out);
	dg_window_note(rec, out);
	fprintf(out, "</h1><button id=\"prev\" type=\"button\">&#9664; previous</button>"
		     "<span id=\"counter\">step %zu / %zu</span><button id=\"next\" type=\"button\">"
		     "next &#9654;</button><span class=\"hint\">keys: &#8592; &#8594; Home End; "
		     "click a line of the trace</span></header>\n<main>\n",
		start, rec->nsteps);
	html_source(rec, out);
	fputs("<section class=\"state\">\n", out);
	for (size_t s = rec->from; s < rec->to; s++)
		html_step(rec, s, start, out);
	fprintf(out, "</section>\n</main>\n<script>//<![CDATA[\n%s//]]></script>\n</body>\n</html>\n",
		html_script);
}
