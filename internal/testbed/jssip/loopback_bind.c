/* loopback_bind.c: an LD_PRELOAD shim for the test browser. It refuses
 * bind() to any address but loopback or the wildcard, so Chromium gathers
 * ICE candidates on 127.0.0.1 only. With the page dropping any other
 * candidate and our side offering loopback ones only, the calls' media
 * stays on 127.0.0.1 (it does not stop connect() or sendto() elsewhere:
 * Chromium is started with its background networking off for that).
 * Built by internal/testbed (cc -shared) before Chromium starts. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>

int bind(int fd, const struct sockaddr *addr, socklen_t len) {
	static int (*real_bind)(int, const struct sockaddr *, socklen_t);
	if (!real_bind)
		real_bind = (int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "bind");
	if (addr && addr->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)addr;
		uint32_t ip = ntohl(a->sin_addr.s_addr);
		if (ip != INADDR_ANY && (ip >> 24) != 127) {
			errno = EADDRNOTAVAIL;
			return -1;
		}
	}
	if (addr && addr->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)addr;
		if (!IN6_IS_ADDR_UNSPECIFIED(&a->sin6_addr) && !IN6_IS_ADDR_LOOPBACK(&a->sin6_addr)) {
			errno = EADDRNOTAVAIL;
			return -1;
		}
	}
	return real_bind(fd, addr, len);
}
