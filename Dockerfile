# Multi-stage build of coachjournal: a static binary on a small base with
# wget for health checks, running as an unprivileged user.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/coachjournal ./cmd/coachjournal

FROM alpine:3.22
RUN adduser -D -u 10001 coachjournal && mkdir /data && chown coachjournal /data
COPY --from=build /out/coachjournal /usr/local/bin/coachjournal
USER coachjournal
EXPOSE 8080
ENTRYPOINT ["coachjournal"]
CMD ["serve", "--addr", "0.0.0.0:8080", "--data-dir", "/data"]
