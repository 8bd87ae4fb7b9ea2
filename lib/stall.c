/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stall.c — per-thread brackets around target operations, and their
 * watchdog (stall.h).  A slot's start time is the only word the watchdog
 * trusts: it is 0 while the slot's op name and path are being changed, and
 * the watchdog re-reads it after copying them, so a bracket that ended (or
 * a new one) meanwhile is never taken for a stall. */
#include "stall.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

struct slot {
	atomic_bool used;
	_Atomic int64_t start;		/* CLOCK_MONOTONIC ns; 0: no op */
	char what[32];
	char path[PD_STALL_PATH_MAX];
};

static struct slot slots[PD_STALL_THREADS];
static _Thread_local int my_slot = -1;
static _Thread_local int depth;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static pthread_key_t key;

#define WATCHED_FDS 96	/* the dump, its check, up to 64 partial files... */
/* fd1: the descriptor + 1; 0 free, -1 being filled in */
#define FD_FREE 0
#define FD_CLAIMED (-1)
static struct {
	atomic_int fd1;
	char path[PD_STALL_PATH_MAX];
} watched[WATCHED_FDS];
static atomic_int nwatched;

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void free_slot(void *p)
{
	struct slot *s = p;

	atomic_store(&s->start, 0);
	atomic_store(&s->used, false);
}

static void make_key(void)
{
	(void)pthread_key_create(&key, free_slot);
}

static struct slot *get_slot(void)
{
	int i;

	if (my_slot >= 0)
		return &slots[my_slot];
	pthread_once(&key_once, make_key);
	for (i = 0; i < PD_STALL_THREADS; i++) {
		bool f = false;

		if (atomic_compare_exchange_strong(&slots[i].used, &f, true)) {
			my_slot = i;
			(void)pthread_setspecific(key, &slots[i]);
			return &slots[i];
		}
	}
	return NULL;
}

void pd_stall_begin(const char *what, const char *path)
{
	struct slot *s;

	if (depth++)
		return;
	s = get_slot();
	if (!s)
		return;
	atomic_store(&s->start, 0);
	snprintf(s->what, sizeof(s->what), "%s", what);
	snprintf(s->path, sizeof(s->path), "%s", path ? path : "?");
	atomic_store(&s->start, now_ns());
}

void pd_stall_end(void)
{
	if (depth <= 0 || --depth)
		return;
	if (my_slot >= 0)
		atomic_store(&slots[my_slot].start, 0);
}

void pd_stall_watch_fd(int fd, const char *path)
{
	int i;

	if (fd < 0)
		return;
	for (i = 0; i < WATCHED_FDS; i++) {
		int f = FD_FREE;

		if (atomic_compare_exchange_strong(&watched[i].fd1, &f, FD_CLAIMED)) {
			snprintf(watched[i].path, sizeof(watched[i].path), "%s", path);
			atomic_store(&watched[i].fd1, fd + 1);
			atomic_fetch_add(&nwatched, 1);
			return;
		}
	}
}

void pd_stall_unwatch_fd(int fd)
{
	int i;

	if (fd < 0)
		return;
	for (i = 0; i < WATCHED_FDS; i++) {
		int f = fd + 1;

		if (atomic_compare_exchange_strong(&watched[i].fd1, &f, FD_FREE))
			atomic_fetch_sub(&nwatched, 1);
	}
}

const char *pd_stall_fd_path(int fd)
{
	int i;

	if (fd < 0 || !atomic_load(&nwatched))
		return NULL;
	for (i = 0; i < WATCHED_FDS; i++)
		if (atomic_load(&watched[i].fd1) == fd + 1)
			return watched[i].path;
	return NULL;
}

bool pd_stall_begin_fd(const char *what, int fd)
{
	const char *p = pd_stall_fd_path(fd);

	if (!p)
		return false;
	pd_stall_begin(what, p);
	return true;
}

void pd_stall_end_fd(bool begun)
{
	if (begun)
		pd_stall_end();
}

/* The watchdog. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	bool running, stop;
	int64_t timeout_ns;
	pd_stall_fire_fn fire;
	void *arg;
} w = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };

/* The first slot whose bracket is older than the timeout: its op and path
 * into @what and @path, its age in ns; 0 when none. */
static int64_t stalled(char *what, size_t wsize, char *path, size_t psize)
{
	int64_t now = now_ns();
	int i;

	for (i = 0; i < PD_STALL_THREADS; i++) {
		int64_t t = atomic_load(&slots[i].start);

		if (!t || now - t < w.timeout_ns)
			continue;
		snprintf(what, wsize, "%s", slots[i].what);
		snprintf(path, psize, "%s", slots[i].path);
		if (atomic_load(&slots[i].start) == t)
			return now - t;
	}
	return 0;
}

static void *watch(void *arg)
{
	int64_t step = w.timeout_ns / 4;
	char what[32], path[PD_STALL_PATH_MAX];

	(void)arg;
	if (step > 250000000)
		step = 250000000;
	pthread_mutex_lock(&w.lock);
	while (!w.stop) {
		struct timespec ts;
		int64_t age, t;

		clock_gettime(CLOCK_REALTIME, &ts);
		t = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec + step;
		ts.tv_sec = (time_t)(t / 1000000000);
		ts.tv_nsec = (long)(t % 1000000000);
		pthread_cond_timedwait(&w.cond, &w.lock, &ts);
		if (w.stop)
			break;
		age = stalled(what, sizeof(what), path, sizeof(path));
		if (age) {
			pthread_mutex_unlock(&w.lock);
			w.fire(w.arg, what, path, (double)age / 1e9);
			pthread_mutex_lock(&w.lock);
		}
	}
	pthread_mutex_unlock(&w.lock);
	return NULL;
}

int pd_stall_watch_start(double timeout, pd_stall_fire_fn fire, void *arg)
{
	int e;

	if (w.running)
		return 0;
	w.timeout_ns = (int64_t)(timeout * 1e9);
	if (w.timeout_ns < 1000000)
		w.timeout_ns = 1000000;
	w.fire = fire;
	w.arg = arg;
	w.stop = false;
	e = pthread_create(&w.thread, NULL, watch, NULL);
	if (e) {
		errno = e;
		return -1;
	}
	w.running = true;
	return 0;
}

void pd_stall_watch_stop(void)
{
	if (!w.running)
		return;
	pthread_mutex_lock(&w.lock);
	w.stop = true;
	pthread_cond_signal(&w.cond);
	pthread_mutex_unlock(&w.lock);
	pthread_join(w.thread, NULL);
	w.running = false;
}
