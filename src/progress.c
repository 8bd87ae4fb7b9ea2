/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "progress.h"
#include "units.h"

#include <inttypes.h>
#include <unistd.h>

#include "timeline.h"

void pd_progress_init(struct pd_progress *p, FILE *out, double t0)
{
	p->out = out;
	p->tty = isatty(fileno(out));
	p->t0 = t0;
	p->last = 0;
	p->interval = p->tty ? 0.2 : 5.0;
	p->drawn = false;
}

void pd_progress_update(struct pd_progress *p, const struct pd_progress_sample *s, bool force)
{
	double now = pd_now(), el = now - p->t0, frac, rate;
	char ret[32], res[32], rb[32], eta[32] = "--:--";
	int width = 24, fill, i;

	if (!force && now - p->last < p->interval)
		return;
	p->last = now;
	frac = s->pages_total ? (double)s->pages_done / (double)s->pages_total : 0;
	if (frac > 1)
		frac = 1;
	rate = el > 0 ? (double)s->stream_bytes / el : 0;
	if (frac > 0.01 && frac < 1) {
		double left = el / frac - el;

		snprintf(eta, sizeof(eta), "%d:%02d", (int)left / 60, (int)left % 60);
	}
	pd_human_bytes(ret, sizeof(ret), s->returned);
	pd_human_bytes(res, sizeof(res), s->reserved_start);
	pd_human_bytes(rb, sizeof(rb), (uint64_t)rate);
	if (p->tty) {
		fill = (int)(frac * width);
		fprintf(p->out, "\r[");
		for (i = 0; i < width; i++)
			fputc(i < fill ? '=' : (i == fill ? '>' : ' '), p->out);
		fprintf(p->out, "] %3d%%  returned %s of %s  %s/s  ETA %s ",
			(int)(frac * 100), ret, res, rb, eta);
		p->drawn = true;
	} else {
		fprintf(p->out, "phypdump save: %.0fs: %d%% of pages saved, %s of %s returned, %s/s\n",
			el, (int)(frac * 100), ret, res, rb);
	}
	fflush(p->out);
}

void pd_progress_done(struct pd_progress *p)
{
	if (p->tty && p->drawn)
		fputc('\n', p->out);
	p->drawn = false;
}
