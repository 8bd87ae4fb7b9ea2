/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stall: brackets, watched descriptors, the watchdog firing on one blocked
 * operation and not on many short ones, thread slots given back. */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "stall.h"
#include "unit.h"

static atomic_int fired;
static char fired_what[32], fired_path[256];
static double fired_secs;

/* The real one ends the process; this one records and ends its thread. */
static void fire(void *arg, const char *what, const char *path, double seconds)
{
	(void)arg;
	snprintf(fired_what, sizeof(fired_what), "%s", what);
	snprintf(fired_path, sizeof(fired_path), "%s", path);
	fired_secs = seconds;
	atomic_store(&fired, 1);
	pthread_exit(NULL);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Blocked until the watchdog fired (or 2 s). */
static void *blocked_op(void *arg)
{
	int i;

	(void)arg;
	pd_stall_begin("fdatasync", "/t/dump/vmcore-incomplete");
	pd_stall_begin("write", "/t/inner");
	pd_stall_end();
	for (i = 0; i < 200 && !atomic_load(&fired); i++)
		sleep_ms(10);
	pd_stall_end();
	return NULL;
}

static void *short_op(void *arg)
{
	(void)arg;
	pd_stall_begin("write", "/t/thread");
	pd_stall_end();
	return NULL;
}

int main(void)
{
	int p[2], i;
	char c = 'x';

	/* Watched descriptors are named; unwatched ones are not. */
	CHECK(pipe(p) == 0);
	CHECK(pd_stall_fd_path(p[1]) == NULL);
	pd_stall_watch_fd(p[1], "/t/pipe");
	CHECK(pd_stall_fd_path(p[1]) && !strcmp(pd_stall_fd_path(p[1]), "/t/pipe"));
	CHECK(pd_stall_fd_path(p[0]) == NULL);
	CHECK(pd_stall_begin_fd("write", p[1]));
	pd_stall_end_fd(true);
	CHECK(!pd_stall_begin_fd("read", p[0]));
	CHECK(pd_write_all(p[1], &c, 1) == 0);
	CHECK(pd_close_fd(p[1]) == 0);
	CHECK(pd_stall_fd_path(p[1]) == NULL);	/* closed: unwatched */
	close(p[0]);

	/* Many short operations over longer than the timeout: no stall. */
	CHECK(pd_stall_watch_start(0.3, fire, NULL) == 0);
	for (i = 0; i < 40; i++) {
		pd_stall_begin("fdatasync", "/t/short");
		sleep_ms(20);
		pd_stall_end();
	}
	CHECK(!atomic_load(&fired));
	/* Nothing in progress for longer than the timeout: no stall. */
	sleep_ms(600);
	CHECK(!atomic_load(&fired));
	/* Threads come and go: their slots are given back. */
	for (i = 0; i < 3 * PD_STALL_THREADS; i++) {
		pthread_t t;

		CHECK(pthread_create(&t, NULL, short_op, NULL) == 0);
		pthread_join(t, NULL);
	}
	/* One blocked operation in one more thread (nested brackets are
	 * one): it fires, naming the outer operation and its file. */
	{
		pthread_t t;

		CHECK(pthread_create(&t, NULL, blocked_op, NULL) == 0);
		pthread_join(t, NULL);
	}
	CHECK(atomic_load(&fired));
	CHECK(!strcmp(fired_what, "fdatasync"));
	CHECK(!strcmp(fired_path, "/t/dump/vmcore-incomplete"));
	CHECK(fired_secs >= 0.3 && fired_secs < 2);
	pd_stall_watch_stop();
	pd_stall_watch_stop();	/* idempotent */
	return unit_report("stall");
}
