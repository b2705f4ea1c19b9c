/*
 * The demo workload's HTTP client: keeps a pool of persistent HTTP/1.1 connections to one server and sends a
 * request on each of them every INTERVAL seconds, reusing the connection like any pooled client. Like many
 * pools it does not check whether the server closed an idle connection before reusing it, so when the server's
 * idle timeout is shorter than INTERVAL, the reuse fails and is logged: the client/server ordering trap.
 *
 * Environment: TARGET_HOST (IPv4 address), TARGET_PORT (80), POOL (4), INTERVAL (10 s),
 * SO_KEEPALIVE (1: arm TCP keepalive on every connection, so the pod's tcp_keepalive_* sysctls apply to them).
 * Built statically by hack/node-images.sh.
 */
#define _GNU_SOURCE /* strcasestr */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MAX_POOL 64

static const char *env(const char *name, const char *fallback) {
    const char *v = getenv(name);
    return v && *v ? v : fallback;
}

static struct sockaddr_in target;
static int keepalive;

static int connect_one(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return -1;
    }
    struct timeval timeout = {.tv_sec = 5};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &keepalive, sizeof keepalive);
    if (connect(fd, (struct sockaddr *)&target, sizeof target) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* One request and its whole response (Content-Length framed); 0 when the connection answered. */
static int exchange(int fd, const char *host) {
    char request[256];
    int n = snprintf(request, sizeof request, "GET / HTTP/1.1\r\nHost: %s\r\nUser-Agent: pooled-client\r\n\r\n", host);
    if (send(fd, request, (size_t)n, MSG_NOSIGNAL) != n) {
        return -1;
    }
    char buf[8192];
    size_t have = 0;
    long body = -1;
    char *head_end = NULL;
    for (;;) {
        ssize_t r = recv(fd, buf + have, sizeof buf - 1 - have, 0);
        if (r <= 0) {
            return -1; /* EOF or reset: the server had closed the connection */
        }
        have += (size_t)r;
        buf[have] = '\0';
        if (!head_end && (head_end = strstr(buf, "\r\n\r\n"))) {
            char *cl = strcasestr(buf, "\r\nContent-Length:");
            body = cl && cl < head_end ? strtol(cl + 17, NULL, 10) : 0;
        }
        if (head_end && (long)(have - (size_t)(head_end + 4 - buf)) >= body) {
            return 0;
        }
        if (have >= sizeof buf - 1) {
            return -1;
        }
    }
}

int main(void) {
    const char *host = env("TARGET_HOST", "127.0.0.1");
    int port = atoi(env("TARGET_PORT", "80"));
    int pool = atoi(env("POOL", "4"));
    int interval = atoi(env("INTERVAL", "10"));
    keepalive = atoi(env("SO_KEEPALIVE", "1")) != 0;
    if (pool < 1 || pool > MAX_POOL || interval < 1 || inet_pton(AF_INET, host, &target.sin_addr) != 1) {
        fprintf(stderr, "pooled-client: need TARGET_HOST (IPv4), POOL 1..%d, INTERVAL >= 1\n", MAX_POOL);
        return 2;
    }
    target.sin_family = AF_INET;
    target.sin_port = htons((unsigned short)port);
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("pooled-client: %d connections to %s:%d, a request on each every %d s, SO_KEEPALIVE=%d\n",
           pool, host, port, interval, keepalive);

    int fds[MAX_POOL];
    long ok = 0, stale = 0;
    for (int i = 0; i < pool; i++) {
        fds[i] = -1;
    }
    for (long round = 1;; round++) {
        for (int i = 0; i < pool; i++) {
            if (fds[i] >= 0 && exchange(fds[i], host) == 0) {
                ok++;
                continue;
            }
            if (fds[i] >= 0) {
                stale++;
                printf("round %ld: pooled connection %d was closed by the server while idle (%d s); "
                       "retrying on a new connection (%ld failed reuses so far)\n", round, i, interval, stale);
                close(fds[i]);
            }
            fds[i] = connect_one();
            if (fds[i] >= 0 && exchange(fds[i], host) == 0) {
                ok++;
            } else {
                printf("round %ld: connection %d: %s\n", round, i, strerror(errno));
                if (fds[i] >= 0) {
                    close(fds[i]);
                }
                fds[i] = -1;
            }
        }
        printf("round %ld: %ld requests answered, %ld failed reuses of idle connections\n", round, ok, stale);
        sleep((unsigned)interval);
    }
}
