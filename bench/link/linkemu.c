// SPDX-License-Identifier: MIT
// linkemu: a userspace link between two network namespaces, for benchmarks.
//
// The kernel here has no netem, so this program stands in for it: it opens a
// TUN device in each of two network namespaces and moves every IP packet from
// one to the other through a queue per direction that adds what a real link
// adds: a bandwidth cap (serialisation at the given rate, tail drop when the
// bottleneck buffer is full), one-way delay, jitter (packets keep their order,
// as on one path), and random loss from a seeded generator.
//
//   linkemu A_NETNS_PATH A_DEV B_NETNS_PATH B_DEV  "a2b" "b2a"  SEED  MAX_SECONDS
//   each direction: "delay_us,jitter_us,loss_ppm,rate_kbit,queue_us"
//
// A_NETNS_PATH may be "-" for the namespace linkemu starts in. The devices
// exist only while it runs (non-persistent TUN): when it exits they vanish
// with every route through them. It exits on SIGTERM/SIGINT, when its stdin
// closes (the bench that started it is gone), or after MAX_SECONDS. On exit it
// prints one JSON line of counters to stdout.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define MTU 2048
// Packets held per direction at most; the queue_us limit normally binds first.
#define SLOTS 8192

struct profile {
  int64_t delay_ns, jitter_ns, queue_ns;
  uint32_t loss_ppm;
  double ns_per_byte; // 0 = no cap
};

struct packet {
  int64_t release_ns;
  uint16_t len;
  unsigned char data[MTU];
};

struct direction {
  const char *name;
  int in_fd, out_fd;
  struct profile p;
  struct packet *ring;
  uint32_t head, count;
  int64_t wire_free_ns;     // when the bottleneck finishes sending what it holds
  int64_t last_release_ns;  // order is kept: no packet leaves before the one ahead
  uint64_t packets, bytes, lost, dropped_full, write_errors;
};

static volatile sig_atomic_t stopping = 0;
static void on_signal(int sig) { (void)sig; stopping = 1; }

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

// xorshift64*: seeded, so a run's losses and jitter can be repeated.
static uint64_t rng_state;
static uint64_t rng(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 2685821657736338717ULL;
}

static void die(const char *what) {
  fprintf(stderr, "linkemu: %s: %s\n", what, strerror(errno));
  exit(1);
}

// Opens a TUN device named `dev` inside the namespace at `ns_path` ("-" = current).
static int open_tun(const char *ns_path, const char *dev, int home_ns) {
  if (strcmp(ns_path, "-") != 0) {
    int ns = open(ns_path, O_RDONLY | O_CLOEXEC);
    if (ns < 0) die(ns_path);
    if (setns(ns, CLONE_NEWNET) < 0) die("setns");
    close(ns);
  }
  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) die("/dev/net/tun");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  strncpy(ifr.ifr_name, dev, IFNAMSIZ - 1);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) die("TUNSETIFF");
  if (setns(home_ns, CLONE_NEWNET) < 0) die("setns back");
  return fd;
}

static struct profile parse_profile(const char *s) {
  long long delay, jitter, loss, rate, queue;
  if (sscanf(s, "%lld,%lld,%lld,%lld,%lld", &delay, &jitter, &loss, &rate, &queue) != 5 ||
      delay < 0 || jitter < 0 || loss < 0 || loss > 1000000 || rate < 0 || queue <= 0) {
    fprintf(stderr, "linkemu: bad profile \"%s\" (want delay_us,jitter_us,loss_ppm,rate_kbit,queue_us)\n", s);
    exit(2);
  }
  struct profile p = {delay * 1000, jitter * 1000, queue * 1000, (uint32_t)loss,
                      rate ? 8e6 / (double)rate : 0};
  return p;
}

// Takes every packet waiting on the input device into the queue (or drops it).
static void take(struct direction *d, int64_t now) {
  for (;;) {
    struct packet *slot = &d->ring[(d->head + d->count) % SLOTS];
    ssize_t n = read(d->in_fd, slot->data, MTU);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) return;
      die("read");
    }
    if (n == 0) return;
    d->packets++;
    d->bytes += (uint64_t)n;
    // The bottleneck: a packet waits for the wire, or is dropped if the buffer is full.
    int64_t start = d->wire_free_ns > now ? d->wire_free_ns : now;
    if (d->count >= SLOTS || start - now > d->p.queue_ns) {
      d->dropped_full++;
      continue;
    }
    int64_t sent = start + (int64_t)(d->p.ns_per_byte * (double)n);
    d->wire_free_ns = sent;
    // Lost on the way: it still used the wire.
    if (d->p.loss_ppm && rng() % 1000000 < d->p.loss_ppm) {
      d->lost++;
      continue;
    }
    int64_t jitter = d->p.jitter_ns ? (int64_t)(rng() % (uint64_t)(2 * d->p.jitter_ns + 1)) - d->p.jitter_ns : 0;
    int64_t release = sent + d->p.delay_ns + jitter;
    if (release < d->last_release_ns) release = d->last_release_ns;
    d->last_release_ns = release;
    slot->release_ns = release;
    slot->len = (uint16_t)n;
    d->count++;
  }
}

// Delivers every queued packet whose time has come; returns the next release time (or -1).
static int64_t deliver(struct direction *d, int64_t now) {
  while (d->count > 0) {
    struct packet *p = &d->ring[d->head];
    if (p->release_ns > now) return p->release_ns;
    if (write(d->out_fd, p->data, p->len) < 0) d->write_errors++;
    d->head = (d->head + 1) % SLOTS;
    d->count--;
  }
  return -1;
}

static void report(struct direction *d, int last) {
  printf("\"%s\":{\"packets\":%llu,\"bytes\":%llu,\"lost\":%llu,\"droppedFull\":%llu,\"writeErrors\":%llu}%s",
         d->name, (unsigned long long)d->packets, (unsigned long long)d->bytes,
         (unsigned long long)d->lost, (unsigned long long)d->dropped_full,
         (unsigned long long)d->write_errors, last ? "" : ",");
}

int main(int argc, char **argv) {
  if (argc != 9) {
    fprintf(stderr, "usage: linkemu A_NS A_DEV B_NS B_DEV A2B B2A SEED MAX_SECONDS\n");
    return 2;
  }
  int home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (home < 0) die("/proc/self/ns/net");
  int a = open_tun(argv[1], argv[2], home);
  int b = open_tun(argv[3], argv[4], home);
  rng_state = strtoull(argv[7], NULL, 10) | 1;
  int64_t deadline = now_ns() + (int64_t)atoll(argv[8]) * 1000000000;

  static struct direction dirs[2];
  dirs[0] = (struct direction){.name = "a2b", .in_fd = a, .out_fd = b, .p = parse_profile(argv[5])};
  dirs[1] = (struct direction){.name = "b2a", .in_fd = b, .out_fd = a, .p = parse_profile(argv[6])};
  for (int i = 0; i < 2; i++) {
    dirs[i].ring = calloc(SLOTS, sizeof(struct packet));
    if (!dirs[i].ring) die("calloc");
  }
  struct sigaction sa = {.sa_handler = on_signal};
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  printf("{\"ready\":true}\n");
  fflush(stdout);

  struct pollfd fds[3] = {{a, POLLIN, 0}, {b, POLLIN, 0}, {0, POLLIN, 0}};
  while (!stopping) {
    int64_t now = now_ns();
    if (now > deadline) break;
    int64_t next = -1;
    for (int i = 0; i < 2; i++) {
      int64_t t = deliver(&dirs[i], now);
      if (t >= 0 && (next < 0 || t < next)) next = t;
    }
    struct timespec wait = {1, 0};
    if (next >= 0) {
      int64_t ns = next - now;
      wait.tv_sec = ns / 1000000000;
      wait.tv_nsec = ns % 1000000000;
    }
    int ready = ppoll(fds, 3, &wait, NULL);
    if (ready < 0) {
      if (errno == EINTR) continue;
      die("ppoll");
    }
    now = now_ns();
    if (fds[2].revents & (POLLIN | POLLHUP | POLLERR)) {
      char buf[64];
      if (read(0, buf, sizeof buf) <= 0) break; // stdin closed: the bench is gone
    }
    if (fds[0].revents & POLLIN) take(&dirs[0], now);
    if (fds[1].revents & POLLIN) take(&dirs[1], now);
  }
  printf("{");
  report(&dirs[0], 0);
  report(&dirs[1], 1);
  printf("}\n");
  return 0;
}
