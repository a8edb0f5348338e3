// Package console serves bluelamp's HTML pages: sign-in (password and OIDC),
// sign-out and the signed-in home page. Pages are html/template from an
// embedded FS; static files are embedded and served under content-hash URLs.
package console

import (
	"context"
	"embed"
	"html/template"
	"log/slog"
	"net/http"

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
	static map[string]string // path under static/ → content-hash URL
}

// Handler parses the templates and returns the console's handler, wrapped in
// cross-origin protection so no other site can post a form to it.
func (c *Console) Handler() http.Handler {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	static, err := staticURLs()
	if err != nil {
		panic(err) // the files are embedded: only a broken build gets here
	}
	c.static = static
	c.tmpl = template.Must(template.New("").Funcs(template.FuncMap{
		"static":    c.staticURL,
		"roleLabel": func(r bluelamp.Role) string { return r.Label() },
	}).ParseFS(templateFS, "templates/*.html"))
	return http.NewCrossOriginProtection().Handler(c.routes())
}
