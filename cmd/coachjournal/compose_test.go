package main

import (
	"context"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// TestComposeFile checks the cluster topology of docker-compose.yml, which
// no machine here can run: three clustered JetStream nodes that fsync every
// write, and two API replicas on all three with 3 replicas and shared keys.
func TestComposeFile(t *testing.T) {
	opts, err := cli.NewProjectOptions([]string{"../../docker-compose.yml"}, cli.WithWorkingDirectory("../.."),
		cli.WithName("coachjournal"), cli.WithResolvedPaths(true))
	if err != nil {
		t.Fatal(err)
	}
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("load compose file: %v", err)
	}
	if got := p.ServiceNames(); !sameSet(got, []string{"nats1", "nats2", "nats3", "api1", "api2"}) {
		t.Fatalf("services = %v", got)
	}
	conf, err := os.ReadFile("../../deploy/nats.conf")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"sync_interval: always", "nats://nats1:6222", "nats://nats2:6222", "nats://nats3:6222", "name: coachjournal"} {
		if !strings.Contains(string(conf), want) {
			t.Errorf("deploy/nats.conf lacks %q", want)
		}
	}
	for _, name := range []string{"nats1", "nats2", "nats3"} {
		s := p.Services[name]
		if !slices.Contains(s.Command, "/etc/nats/nats.conf") || !mounts(s, "/etc/nats/nats.conf") || !mounts(s, "/data") {
			t.Errorf("%s does not run the cluster config with a data volume: %v", name, s.Command)
		}
		if s.Environment["SERVER_NAME"] == nil || *s.Environment["SERVER_NAME"] != name {
			t.Errorf("%s SERVER_NAME = %v", name, s.Environment["SERVER_NAME"])
		}
		if s.HealthCheck == nil || !strings.Contains(strings.Join(s.HealthCheck.Test, " "), "healthz") {
			t.Errorf("%s has no health check", name)
		}
	}
	hostPorts := map[string]bool{}
	for _, name := range []string{"api1", "api2"} {
		s := p.Services[name]
		if s.Build == nil || s.Build.Context != p.WorkingDir {
			t.Errorf("%s is not built from the repository's Dockerfile: %+v", name, s.Build)
		}
		cmd := strings.Join(s.Command, " ")
		for _, want := range []string{"serve", "--replicas=3", "--addr=0.0.0.0:8080",
			"--signing-key-file=/run/secrets/signing_key", "--master-key-file=/run/secrets/master_key"} {
			if !strings.Contains(cmd, want) {
				t.Errorf("%s command lacks %s: %s", name, want, cmd)
			}
		}
		urls := regexp.MustCompile(`--nats=(\S+)`).FindStringSubmatch(cmd)
		if urls == nil || !sameSet(strings.Split(urls[1], ","), []string{"nats://nats1:4222", "nats://nats2:4222", "nats://nats3:4222"}) {
			t.Errorf("%s does not reach all three NATS nodes: %s", name, cmd)
		}
		for _, n := range []string{"nats1", "nats2", "nats3"} {
			if s.DependsOn[n].Condition != types.ServiceConditionHealthy {
				t.Errorf("%s does not wait for %s to be healthy", name, n)
			}
		}
		if len(s.Secrets) != 2 || s.HealthCheck == nil || !strings.Contains(strings.Join(s.HealthCheck.Test, " "), "/readyz") {
			t.Errorf("%s: secrets %v, health check %v", name, s.Secrets, s.HealthCheck)
		}
		if len(s.Ports) != 1 || s.Ports[0].Target != 8080 || hostPorts[s.Ports[0].Published] {
			t.Errorf("%s ports = %+v, want its own host port to 8080", name, s.Ports)
		}
		hostPorts[s.Ports[0].Published] = true
	}
	if _, err := os.Stat("../../Dockerfile"); err != nil {
		t.Errorf("no Dockerfile: %v", err)
	}
}

func mounts(s types.ServiceConfig, target string) bool {
	for _, v := range s.Volumes {
		if v.Target == target {
			return true
		}
	}
	return false
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
