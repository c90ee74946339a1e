/*
 * The kernel's floor of a share decision on this machine: the same fixed-reply Stratum responder as responder.ts,
 * in C on one epoll loop (one read and one write per ready socket, no JSON parser beyond finding "id" and the
 * method). What it costs per decision is the read + write syscalls on loopback: no pool, in any language, pays less
 * with one submit in flight per session. Built and run by bench/floor.ts when a C compiler is present.
 *
 *   cc -O2 -o responder responder.c && ./responder PORT
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct {
  int fd;
  unsigned index;
  int len;
  char buf[4096];
} session;

static const char *ZEROS64 = "0000000000000000000000000000000000000000000000000000000000000000";

static int reply(session *s, char *line, char *out, int room) {
  char *id_at = strstr(line, "\"id\":");
  long id = id_at ? strtol(id_at + 5, NULL, 10) : 0;
  if (strstr(line, "mining.subscribe"))
    return snprintf(out, room, "{\"id\":%ld,\"result\":[[],\"%08x\",4],\"error\":null}\n", id, s->index);
  if (strstr(line, "mining.authorize"))
    return snprintf(out, room,
                    "{\"id\":%ld,\"result\":true,\"error\":null}\n"
                    "{\"id\":null,\"method\":\"mining.set_difficulty\",\"params\":[1]}\n"
                    "{\"id\":null,\"method\":\"mining.notify\",\"params\":[\"1\",\"%s\",\"01%s%.16s\",\"%.20s\",[],"
                    "\"20000000\",\"207fffff\",\"6553f100\",true]}\n",
                    id, ZEROS64, ZEROS64, ZEROS64, ZEROS64);
  return snprintf(out, room, "{\"id\":%ld,\"result\":null,\"error\":[23,\"Low difficulty share (1.2e-5 < 1)\",null]}\n", id);
}

int main(int argc, char **argv) {
  int one = 1, listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(argc > 1 ? atoi(argv[1]) : 23401)};
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(listener, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(listener, 4096) != 0) {
    perror("listen");
    return 1;
  }
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
  epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);
  printf("listening %d\n", getpid());
  fflush(stdout);
  unsigned sessions = 0;
  struct epoll_event ready[256];
  for (;;) {
    int n = epoll_wait(ep, ready, 256, -1);
    for (int e = 0; e < n; e++) {
      session *s = ready[e].data.ptr;
      if (s == NULL) {
        int fd;
        while ((fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
          setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          s = calloc(1, sizeof *s);
          s->fd = fd;
          s->index = sessions++;
          struct epoll_event se = {.events = EPOLLIN, .data.ptr = s};
          epoll_ctl(ep, EPOLL_CTL_ADD, fd, &se);
        }
        continue;
      }
      int got = read(s->fd, s->buf + s->len, sizeof s->buf - s->len - 1);
      if (got <= 0) {
        close(s->fd);
        free(s);
        continue;
      }
      s->len += got;
      char out[16384];
      int used = 0;
      char *line = s->buf, *nl;
      while ((nl = memchr(line, '\n', s->buf + s->len - line)) != NULL) {
        *nl = 0;
        used += reply(s, line, out + used, (int)sizeof out - used);
        line = nl + 1;
      }
      s->len = (int)(s->buf + s->len - line);
      memmove(s->buf, line, s->len);
      if (used > 0 && write(s->fd, out, used) < 0) {
        close(s->fd);
        free(s);
      }
    }
  }
}
