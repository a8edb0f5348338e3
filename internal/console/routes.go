package console

import "net/http"

func (c *Console) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", c.handleHome)
	mux.HandleFunc("GET /signin", c.handleSignInForm)
	mux.HandleFunc("POST /signin", c.handleSignIn)
	mux.HandleFunc("POST /signout", c.handleSignOut)
	mux.HandleFunc("GET /auth/oidc/login", c.handleOIDCLogin)
	mux.HandleFunc("GET /auth/oidc/callback", c.handleOIDCCallback)

	mux.HandleFunc("GET /calls/new", c.handleNewCall)
	mux.HandleFunc("GET /control", c.handleControl)
	mux.HandleFunc("GET /units", c.handleUnitBoard)
	mux.HandleFunc("GET /map", c.handleMap)
	mux.HandleFunc("GET /major", c.handleMajorList)
	mux.HandleFunc("GET /major/{id}", c.handleMajor)

	mux.HandleFunc("GET /static/{hash}/{name...}", c.handleStatic)
	mux.HandleFunc("/", c.handleNotFound)
	return mux
}
