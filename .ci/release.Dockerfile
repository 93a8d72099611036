# The release image, built by GoReleaser's dockers_v2 (.goreleaser.yaml)
# for each platform around the binary it cross-compiled, which it puts in
# the build context at $TARGETPLATFORM/mockplex: the same filesystem as ./Dockerfile's final
# stage (static binary, CA certificates, user 65532, the shipped scenarios),
# without compiling in the image.
FROM debian:bookworm-slim AS files
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends ca-certificates \
 && mkdir -p /out/etc/ssl/certs /out/scenarios /out/tmp /out/usr/share/mockplex/scenarios \
 && cp /etc/ssl/certs/ca-certificates.crt /out/etc/ssl/certs/ \
 && printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/tmp:/sbin/nologin\n' > /out/etc/passwd \
 && printf 'root:x:0:\nnonroot:x:65532:\n' > /out/etc/group \
 && chmod 1777 /out/tmp
COPY scenarios/*.yaml /out/usr/share/mockplex/scenarios/

FROM scratch
ARG TARGETPLATFORM
COPY --from=files /out/ /
COPY $TARGETPLATFORM/mockplex /mockplex
USER 65532:65532
ENV MOCKPLEX_ADDR=:8080 \
    MOCKPLEX_SCENARIOS=/scenarios \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
EXPOSE 8080
HEALTHCHECK --interval=500ms --timeout=2s --start-period=30s --retries=3 CMD ["/mockplex", "healthcheck"]
ENTRYPOINT ["/mockplex"]
CMD ["serve"]
