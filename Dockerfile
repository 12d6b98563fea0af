# oxftpd in a container: a multi-stage build (the Rust toolchain only in the first stage), a
# small Debian runtime with the binaries, logs to stdout/stderr (`docker logs`).
#
#   docker build -t oxftpd .
#   docker run -p 21:21 -p 30000-30009:30000-30009 \
#       -e MASQUERADE_ADDRESS=203.0.113.7 -v /srv/ftp:/srv/ftp oxftpd
#
# FTP needs a data connection per listing and transfer. In passive mode (what clients use
# behind NAT) the server names an address and a port in its PASV/EPSV reply, and the client
# connects there; so in a container:
#   - PassivePorts: the range the server picks passive ports from. Publish exactly that range
#     (-p 30000-30009:30000-30009); a port outside the published range cannot be reached.
#   - MasqueradeAddress: the address PASV announces. Inside the container the server only
#     knows its bridge address (172.17.x.y), which clients cannot reach: set it to the
#     host's public address or name (MASQUERADE_ADDRESS below; a name is resolved at start).
# Without MASQUERADE_ADDRESS the container's own address is announced (fine for
# --network host, or for clients on the same bridge).

FROM rust:1-bookworm AS build
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends libpam0g-dev libcrypt-dev \
    && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cargo build --profile dist -p oxftpd --bins \
    && strip target/dist/oxftpd target/dist/oxftpctl

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpam0g libcrypt1 \
        ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && adduser --system --home /srv/ftp --no-create-home --ingroup nogroup ftp \
    && mkdir -p /etc/oxftpd /srv/ftp /run
COPY --from=build /src/target/dist/oxftpd /usr/sbin/oxftpd
COPY --from=build /src/target/dist/oxftpctl /usr/bin/oxftpctl
COPY contrib/docker/oxftpd.conf /etc/oxftpd/oxftpd.conf
COPY contrib/docker/entrypoint.sh /usr/local/bin/oxftpd-entrypoint
EXPOSE 21 30000-30009
# -n: stay in the foreground, log to stderr (no SystemLog in this configuration).
ENTRYPOINT ["/usr/local/bin/oxftpd-entrypoint"]
CMD ["/usr/sbin/oxftpd", "-n", "-c", "/etc/oxftpd/oxftpd.conf"]
