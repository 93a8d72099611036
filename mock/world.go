package mock

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/mockplex/mockplex/world"
)

// The account's world (servers, shares) as the mock keeps it: the model is
// package world; this file holds the server's copy, its options and Go
// methods, and the file watcher. worldapi.go serves it.

// WithWorld starts the server with w (a copy) instead of the default
// world; Reset restores it. Accounts are named by id in w: use the
// server's Accounts, or a world file (Config.WorldFile) that names them
// by username.
func WithWorld(w *world.World) Option {
	return func(c *config) {
		if w != nil {
			w = w.Clone()
		}
		c.world = w
	}
}

// worldState is the server's world. It is built on first use (most
// servers never serve a post-sign-in request, and NewServer stays as
// cheap as it was): from the loaded world when one was given, else the
// default world of the server's seed. Reset restores the loaded one.
type worldState struct {
	mu     sync.RWMutex
	cur    *world.World // nil until first use
	loaded *world.World // WithWorld, Config.WorldFile or PUT /__mockplex/world's base; nil: the default
	cancel context.CancelFunc
	wg     sync.WaitGroup
	home   homeState // tokens minted by profile switches and claims (home.go)
}

// worldAccounts is the server's accounts as the world names them.
func (s *Server) worldAccounts() []world.Account {
	accs := s.core.accountList()
	out := make([]world.Account, len(accs))
	for i, a := range accs {
		out[i] = worldAccount(&a)
	}
	return out
}

func worldAccount(a *Account) world.Account {
	return world.Account{ID: a.ID, UUID: a.UUID, Username: a.Username, Title: a.Title, Email: a.Email, Thumb: a.Thumb}
}

// initWorld loads Config.WorldFile and starts its watcher; New calls it.
func (s *Server) initWorld() error {
	s.core.homes = &s.world
	if s.cfg.world != nil {
		w, err := s.checkWorld(s.cfg.world)
		if err != nil {
			return fmt.Errorf("mock.WithWorld: %w", err)
		}
		s.world.loaded = w
	}
	path := s.cfg.ops.WorldFile
	if path == "" {
		return nil
	}
	w, err := s.parseWorldFile(path, nil)
	if err != nil {
		return fmt.Errorf("%w; fix the file given as %s", err, s.cfg.name("Config.WorldFile"))
	}
	s.world.loaded = w
	ctx, cancel := context.WithCancel(context.Background())
	s.world.cancel = cancel
	s.world.wg.Add(1)
	go func() {
		defer s.world.wg.Done()
		err := world.Watch(ctx, path, s.log, func(data []byte, err error) {
			if err == nil {
				var w *world.World
				if w, err = s.parseWorldFile(path, data); err == nil {
					s.world.mu.Lock()
					s.world.loaded, s.world.cur = w, w.Clone()
					s.world.mu.Unlock()
					s.log.Info("world reloaded", "file", path, "servers", len(w.Servers), "shares", len(w.Shares))
					return
				}
			}
			s.log.Warn("world file refused; the world in force stays", "file", path, "err", err)
		})
		if err != nil && ctx.Err() == nil {
			s.log.Warn("world hot reload stopped", "file", path, "err", err)
		}
	}()
	return nil
}

// parseWorldFile reads (when data is nil) and parses a world file.
func (s *Server) parseWorldFile(path string, data []byte) (*world.World, error) {
	if data == nil {
		var err error
		if data, err = world.ReadFile(path); err != nil {
			return nil, err
		}
	}
	return world.Parse(path, data, s.worldAccounts(), s.core.clock.Now())
}

// closeWorld stops the file watcher.
func (s *Server) closeWorld() {
	if s.world.cancel != nil {
		s.world.cancel()
		s.world.wg.Wait()
	}
}

// current returns the world in force, building it on first use; the
// caller holds s.world.mu (for reading or writing).
func (s *Server) buildWorldLocked() *world.World {
	if s.world.cur == nil {
		if s.world.loaded != nil {
			s.world.cur = s.world.loaded.Clone()
		} else {
			s.world.cur = world.Default(s.cfg.seed, s.worldAccounts(), s.core.clock.Now())
		}
	}
	return s.world.cur
}

// readWorld calls fn with the world in force, under the read lock.
func (s *Server) readWorld(fn func(w *world.World)) {
	s.world.mu.RLock()
	if w := s.world.cur; w != nil {
		fn(w)
		s.world.mu.RUnlock()
		return
	}
	s.world.mu.RUnlock()
	s.world.mu.Lock()
	defer s.world.mu.Unlock()
	fn(s.buildWorldLocked())
}

// changeWorld calls fn with the world in force, under the write lock.
func (s *Server) changeWorld(fn func(w *world.World) error) error {
	s.world.mu.Lock()
	defer s.world.mu.Unlock()
	return fn(s.buildWorldLocked())
}

// resetWorld restores the loaded world (or the default one) at the next
// use.
func (s *Server) resetWorld() {
	s.world.mu.Lock()
	s.world.cur = nil
	s.resetHomeLocked()
	s.world.mu.Unlock()
}

// World returns a copy of the world in force: the servers accounts own and
// the shares between them, as GET /__mockplex/world shows them.
func (s *Server) World() *world.World {
	var c *world.World
	s.readWorld(func(w *world.World) { c = w.Clone() })
	return c
}

// checkWorld checks a world built in Go as a world file is checked, and
// returns the checked copy.
func (s *Server) checkWorld(w *world.World) (*world.World, error) {
	if w == nil {
		return nil, fmt.Errorf("%w: nil world", errBadWorld)
	}
	data, err := marshalWorld(w)
	if err != nil {
		return nil, err
	}
	checked, err := world.Parse("world", data, s.worldAccounts(), s.core.clock.Now())
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errBadWorld, err)
	}
	return checked, nil
}

// errBadWorld is a world refused by SetWorld or PUT /__mockplex/world.
var errBadWorld = errors.New("mockplex: bad world")

// SetWorld replaces the world in force with a copy of w, after checking
// it as a world file is checked (ids, references, caps); Reset restores
// the world the server was started with. The error wraps a *world.Error.
func (s *Server) SetWorld(w *world.World) error {
	checked, err := s.checkWorld(w)
	if err != nil {
		return err
	}
	s.world.mu.Lock()
	s.world.cur = checked
	s.world.mu.Unlock()
	return nil
}

// worldView is the dashboard's table of servers and their shares.
type worldView struct {
	Servers []serverRow
	Homes   []homeRow
}

// homeRow is one Plex Home on the dashboard.
type homeRow struct {
	Name, Admin string
	Members     []string // title, with "PIN" and the restriction profile when set
}

type serverRow struct {
	Name, MachineIdentifier, Owner string
	Online                         bool
	Libraries, Connections         []string
	Shares                         []shareRow
}

type shareRow struct {
	Invitee, Sections, Token string
	Pending                  bool
}

// worldView renders the world for the dashboard.
func (s *Server) worldView() worldView {
	var v worldView
	s.readWorld(func(w *world.World) {
		name := func(id int64) string {
			if a, ok := w.Account(id); ok {
				return a.Username
			}
			return fmt.Sprint(id)
		}
		for _, sv := range w.Servers {
			row := serverRow{Name: sv.Name, MachineIdentifier: sv.MachineIdentifier, Owner: name(sv.Owner), Online: sv.Presence}
			for _, l := range sv.Libraries {
				row.Libraries = append(row.Libraries, l.Title+" ("+l.Type+")")
			}
			for _, c := range sv.Connections {
				// Scheme and host apart: the pages name no other origin.
				desc := c.Protocol + " " + c.Address + ":" + fmt.Sprint(c.Port)
				switch {
				case c.Relay:
					desc += " (relay)"
				case c.Local:
					desc += " (local)"
				}
				row.Connections = append(row.Connections, desc)
			}
			for _, sh := range w.Shares {
				if sh.Server != sv.MachineIdentifier {
					continue
				}
				r := shareRow{Invitee: sh.InvitedEmail, Token: sh.AccessToken, Pending: sh.Pending(), Sections: "all libraries"}
				if sh.Invitee != 0 {
					r.Invitee = name(sh.Invitee)
				}
				if !sh.AllLibraries {
					var titles []string
					for _, id := range sh.Sections {
						if l, ok := sv.Library(id); ok {
							titles = append(titles, l.Title)
						}
					}
					r.Sections = strings.Join(titles, ", ")
				}
				row.Shares = append(row.Shares, r)
			}
			v.Servers = append(v.Servers, row)
		}
		for _, h := range w.Homes {
			row := homeRow{Name: h.Name, Admin: name(h.Admin)}
			for _, m := range h.Members {
				desc := m.Title
				if m.Account != 0 {
					desc += " (" + name(m.Account) + ")"
				}
				if m.RestrictionProfile != "" {
					desc += ", " + m.RestrictionProfile
				}
				if m.Protected() {
					desc += ", PIN " + m.PIN
				}
				row.Members = append(row.Members, desc)
			}
			v.Homes = append(v.Homes, row)
		}
	})
	return v
}
