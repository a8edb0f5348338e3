package main

import (
	"bytes"
	"errors"
	"maps"
	"strings"
	"testing"
)

// cli runs the command line in-process with an environment.
type cli struct {
	t   *testing.T
	env map[string]string
}

func newCLI(t *testing.T) *cli {
	return &cli{t: t, env: map[string]string{"BLUELAMP_DATA_DIR": t.TempDir()}}
}

func (c *cli) run(stdin string, args ...string) (stdout, stderr string, err error) {
	c.t.Helper()
	var out, errOut bytes.Buffer
	err = run(c.t.Context(), args, func(k string) string { return c.env[k] }, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

func (c *cli) mustRun(stdin string, args ...string) string {
	c.t.Helper()
	out, errOut, err := c.run(stdin, args...)
	if err != nil {
		c.t.Fatalf("bluelamp %s: %v\n%s%s", strings.Join(args, " "), err, out, errOut)
	}
	return out
}

func TestHelp(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	out := c.mustRun("", "help")
	for _, cmd := range []string{"serve", "migrate", "user", "token", "verify", "version", "force"} {
		if !strings.Contains(out, cmd) {
			t.Errorf("help does not mention %s", cmd)
		}
	}
	out = c.mustRun("", "help", "serve")
	for _, f := range []string{"-addr", "BLUELAMP_ADDR", "-data-dir", "BLUELAMP_DATA_DIR", "-database", "-nats-url", "-demo", "-oidc-issuer", "BLUELAMP_OIDC_CLAIM", "-operator-token", "BLUELAMP_OPERATOR_TOKEN"} {
		if !strings.Contains(out, f) {
			t.Errorf("help serve does not mention %s", f)
		}
	}
	if _, _, err := c.run("", "frobnicate"); !errors.Is(err, errUsage) {
		t.Errorf("unknown command: %v", err)
	}
	if _, _, err := c.run(""); !errors.Is(err, errUsage) {
		t.Errorf("no command: %v", err)
	}
}

func TestBadFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		args []string
	}{
		{"UnknownFlag", nil, []string{"serve", "--no-such-flag"}},
		{"BadAddr", nil, []string{"serve", "--addr", "nonsense"}},
		{"NotPostgres", nil, []string{"serve", "--database", "mysql://x"}},
		{"BadNATS", nil, []string{"serve", "--nats-url", "http://x"}},
		{"BadEnvBool", map[string]string{"BLUELAMP_DEMO": "maybe"}, []string{"serve"}},
		{"BadEnvDuration", map[string]string{"BLUELAMP_SESSION_TTL": "forever"}, []string{"serve"}},
		{"ShortSession", nil, []string{"serve", "--session-ttl", "1s"}},
		{"OIDCWithoutClient", nil, []string{"serve", "--oidc-issuer", "https://idp.example"}},
		{"ShortOperatorToken", nil, []string{"serve", "--operator-token", "hunter2"}},
		{"ShortEnvOperatorToken", map[string]string{"BLUELAMP_OPERATOR_TOKEN": strings.Repeat("x", 31)}, []string{"serve"}},
		{"UserNoSub", nil, []string{"user"}},
		{"UserAddNoForce", nil, []string{"user", "add", "bob", "--name", "Bob", "--oidc-only"}},
		{"UserAddNoPassword", nil, []string{"user", "add", "bob", "--force", "f", "--name", "Bob"}},
		{"UserGrantOneArg", nil, []string{"user", "grant", "bob"}},
		{"TokenCreateNoName", nil, []string{"token", "create", "bob"}},
		{"ExtraArg", nil, []string{"verify", "extra"}},
		{"SimulateWithoutDemo", nil, []string{"serve", "--simulate"}},
		{"SimulateNoCredentials", nil, []string{"simulate"}},
		{"SimulateUnknownProfile", nil, []string{"simulate", "--profile", "busy", "--operator-token", "t"}},
		{"SimulateBadTarget", nil, []string{"simulate", "--target", "ftp://x", "--operator-token", "t"}},
		{"SimulateBadRate", nil, []string{"simulate", "--rate", "0", "--operator-token", "t"}},
		{"SimulateRateNotNumber", nil, []string{"simulate", "--rate", "lots", "--operator-token", "t"}},
		{"SimulateBadEnvUnits", map[string]string{"BLUELAMP_UNITS": "many"}, []string{"simulate", "--operator-token", "t"}},
		{"SimulateBadStart", nil, []string{"simulate", "--start", "midnight", "--operator-token", "t"}},
		{"SimulateNegativeDuration", nil, []string{"simulate", "--duration", "-1m", "--operator-token", "t"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newCLI(t)
			maps.Copy(c.env, tc.env)
			_, errOut, err := c.run("", tc.args...)
			if !errors.Is(err, errUsage) {
				t.Fatalf("got %v, want a usage error", err)
			}
			if errOut == "" {
				t.Fatal("a usage error printed nothing")
			}
			if strings.Contains(errOut, "hunter2") || strings.Contains(errOut, strings.Repeat("x", 31)) {
				t.Fatalf("the refusal prints the secret: %s", errOut)
			}
		})
	}
}

func TestAdministration(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	if out := c.mustRun("", "migrate"); !strings.Contains(out, "migrated from version 0") {
		t.Fatalf("migrate: %s", out)
	}
	if out := c.mustRun("", "migrate"); !strings.Contains(out, "schema is current") {
		t.Fatalf("migrate again: %s", out)
	}
	c.mustRun("", "force", "add", "north-shire", "--name", "North Shire Police")
	if out := c.mustRun("", "force", "list"); !strings.Contains(out, "north-shire") || !strings.Contains(out, "North Shire Police") {
		t.Fatalf("force list: %s", out)
	}
	if _, _, err := c.run("", "force", "add", "north-shire", "--name", "Again"); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("duplicate force: %v", err)
	}
	c.mustRun("a-good-long-password\n", "user", "add", "ada", "--force", "north-shire", "--name", "Ada Lovelace", "--email", "ada@north.example",
		"--collar", "1234", "--role", "controller", "--role", "supervisor", "--password-stdin")
	if _, _, err := c.run("short\n", "user", "add", "bea", "--force", "north-shire", "--name", "Bea", "--password-stdin"); err == nil || !strings.Contains(err.Error(), "password") {
		t.Fatalf("short password accepted: %v", err)
	}
	c.mustRun("", "user", "grant", "ada", "auditor")
	c.mustRun("", "user", "revoke", "ada", "supervisor")
	if _, _, err := c.run("", "user", "grant", "ada", "chief"); err == nil || !strings.Contains(err.Error(), "unknown role") {
		t.Fatalf("unknown role: %v", err)
	}
	out := c.mustRun("", "user", "list", "--force", "north-shire")
	if !strings.Contains(out, "ada") || !strings.Contains(out, "auditor,controller") || !strings.Contains(out, "active") {
		t.Fatalf("user list: %s", out)
	}
	c.mustRun("", "user", "disable", "ada")
	if out := c.mustRun("", "user", "list", "--force", "north-shire"); !strings.Contains(out, "disabled") {
		t.Fatalf("after disable: %s", out)
	}
	c.mustRun("", "user", "enable", "ada")
	c.mustRun("another-long-password\n", "user", "set-password", "ada", "--password-stdin")
	if _, _, err := c.run("", "user", "disable", "nobody"); err == nil {
		t.Fatal("disabling an unknown user succeeded")
	}

	secret := strings.TrimSpace(c.mustRun("", "token", "create", "ada", "--name", "CAD link", "--expires", "720h"))
	if !strings.HasPrefix(secret, "blt_") {
		t.Fatalf("token create printed %q", secret)
	}
	out = c.mustRun("", "token", "list", "--force", "north-shire")
	if !strings.Contains(out, "CAD link") || strings.Contains(out, secret) {
		t.Fatalf("token list: %s", out)
	}
	id := strings.Fields(strings.Split(out, "\n")[1])[0]
	c.mustRun("", "token", "revoke", id, "--force", "north-shire")
	if _, _, err := c.run("", "token", "revoke", id, "--force", "north-shire"); err == nil {
		t.Fatal("revoking twice succeeded")
	}
	if _, _, err := c.run("", "token", "revoke", id, "--force", "other-force"); err == nil {
		t.Fatal("revoking another force's token succeeded")
	}

	out = c.mustRun("", "verify")
	if !strings.Contains(out, "all 2 chains verified") || !strings.Contains(out, "north-shire") {
		t.Fatalf("verify: %s", out)
	}
	if out := c.mustRun("", "version"); !strings.HasPrefix(out, "bluelamp ") {
		t.Fatalf("version: %s", out)
	}
}
