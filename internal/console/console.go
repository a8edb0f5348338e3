// Package console serves bluelamp's HTML pages: sign-in (password and OIDC),
// sign-out and the signed-in home page. Pages are html/template from an
// embedded FS; static files are embedded and served under content-hash URLs.
package console

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/auth"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Store is what the console needs of the store.
type Store interface {
	FindSelf(ctx context.Context) (*bluelamp.User, error)
	FindForceByID(ctx context.Context, id bluelamp.ForceID) (*bluelamp.Force, error)
	EndSession(ctx context.Context, id string) error
}

// Console serves the pages. Set the fields, then call Handler.
type Console struct {
	Store   Store
	Auth    *auth.Authenticator
	OIDC    *auth.OIDC // nil or not Enabled: password sign-in only
	Logger  *slog.Logger
	Version string

	tmpl   *template.Template
	static map[string]string // file name → content-hash URL
}

// Handler parses the templates and returns the console's handler, wrapped in
// cross-origin protection so no other site can post a form to it.
func (c *Console) Handler() http.Handler {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	c.static = map[string]string{}
	entries, _ := fs.ReadDir(staticFS, "static")
	for _, e := range entries {
		b, _ := fs.ReadFile(staticFS, path.Join("static", e.Name()))
		sum := sha256.Sum256(b)
		c.static[e.Name()] = "/static/" + hex.EncodeToString(sum[:6]) + "/" + e.Name()
	}
	c.tmpl = template.Must(template.New("").Funcs(template.FuncMap{
		"static":    func(name string) string { return c.static[name] },
		"roleLabel": func(r bluelamp.Role) string { return r.Label() },
	}).ParseFS(templateFS, "templates/*.html"))
	return http.NewCrossOriginProtection().Handler(c.routes())
}
