// Package world models what a plex.tv account sees after it signs in: the
// Plex Media Servers accounts own (with their libraries and connections)
// and the shares that let other accounts use them, each share with an
// access token of its own.
//
// A World is plain data: the mock renders every post-sign-in endpoint
// (resources, users, shared_servers, servers) from one, and nothing here
// speaks HTTP. Worlds come from Default (a small world generated from a
// seed), from Parse (a YAML or JSON world file, checked with
// file:line:col positions), or are built in Go. The queries the endpoints
// need, above all who may see which server with which token, are the
// methods in access.go.
//
// Accounts are not part of a World: they belong to the mock. A World
// refers to them by id and is given the accounts it may name (Account) when
// it is made or parsed.
package world
