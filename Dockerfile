# mockplex container image.
#
#   docker build -t mockplex .
#   docker run --rm -p 8080:8080 -p 8443:443 mockplex
#
# HTTP on :8080, HTTPS for plex.tv's names on :443 (docs/tls.md), with the CA
# kept in /tls: mount a named volume there so clients keep trusting it.
#
# Build arguments:
#   GO_IMAGE  the Go builder base (default: the official Go image). CI builds
#             without a registry by passing a locally imported base:
#             --build-arg GO_IMAGE=mockplex-go-base:local (see .ci/go-base-image.sh).
#   VERSION   stamped into the binary (`mockplex version`), default "dev".
#
# The builder's RUN steps use only sh, mkdir, cp, chmod and go, and the
# Dockerfile avoids BuildKit-only syntax, so the legacy builder, BuildKit and
# docker-compose v1 all build it.

ARG GO_IMAGE=golang:1.26-bookworm

FROM ${GO_IMAGE} AS build
WORKDIR /src
ENV CGO_ENABLED=0

# Modules first, so that editing the source reuses the download layer.
COPY go.mod go.sum ./
RUN go mod download

COPY . .
ARG VERSION=dev
RUN go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/rootfs/mockplex ./cmd/mockplex

# The final image's whole filesystem, assembled here and copied in one layer:
# the binary, CA certificates (contract runs against plex.tv), a non-root
# user, the shipped scenarios as readable examples (they are also embedded in
# the binary) and an empty /scenarios where a user's own folder is mounted.
RUN mkdir -p /out/rootfs/etc/ssl/certs /out/rootfs/scenarios /out/rootfs/tmp /out/tls \
        /out/rootfs/usr/share/mockplex/scenarios \
 && cp /etc/ssl/certs/ca-certificates.crt /out/rootfs/etc/ssl/certs/ \
 && printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/tmp:/sbin/nologin\n' > /out/rootfs/etc/passwd \
 && printf 'root:x:0:\nnonroot:x:65532:\n' > /out/rootfs/etc/group \
 && for f in scenarios/*.yaml; do if [ -f "$f" ]; then cp "$f" /out/rootfs/usr/share/mockplex/scenarios/; fi; done \
 && chmod 1777 /out/rootfs/tmp

FROM scratch
COPY --from=build /out/rootfs/ /
# The CA's folder belongs to the user mockplex runs as; a named volume
# mounted there starts with this owner. (Docker lets containers bind ports
# below 1024 without root: net.ipv4.ip_unprivileged_port_start is 0.)
COPY --from=build --chown=65532:65532 /out/tls /tls
USER 65532:65532
ENV MOCKPLEX_ADDR=:8080 \
    MOCKPLEX_TLS_ADDR=:443 \
    MOCKPLEX_TLS_DIR=/tls \
    MOCKPLEX_SCENARIOS=/scenarios \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
EXPOSE 8080 443
HEALTHCHECK --interval=500ms --timeout=2s --start-period=30s --retries=3 CMD ["/mockplex", "healthcheck"]
ENTRYPOINT ["/mockplex"]
CMD ["serve"]
