package mock

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"hash/fnv"
	"io"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/mockplex/mockplex/scenarios"
	"github.com/mockplex/mockplex/world"
)

// plex.tv's post-sign-in surface (wire addendum plex-account-api.md §3),
// rendered from the server's world. v1 paths answer XML whatever Accept
// says (§3.1); v2 paths negotiate like the pin API.

// worldRoutes adds the world's routes to the router.
func worldRoutes(r *mux.Router) {
	v1 := func(h func(s *Server, x *exchange)) endpoint {
		return api(func(s *Server, x *exchange) { x.format = xmlFormat; h(s, x) })
	}
	get := []string{http.MethodGet, http.MethodHead}
	r.Handle("/api/resources", v1(handleResourcesV1)).Methods(get...)
	r.Handle("/pms/resources", v1(handleResourcesV1)).Methods(get...)
	r.Handle("/pms/resources.xml", v1(handleResourcesV1)).Methods(get...)
	r.Handle("/api/v2/resources", api(handleResourcesV2)).Methods(get...)
	r.Handle("/api/v2/resources.json", api(handleResourcesV2)).Methods(get...)
	r.Handle("/api/users", v1(handleUsers)).Methods(get...)
	r.Handle("/api/users/", v1(handleUsers)).Methods(get...)
	r.Handle("/api/servers/{mid}", v1(handleServerV1)).Methods(get...)
	r.Handle("/api/servers/{mid}/shared_servers", v1(handleSharedServers)).Methods(get...)
	r.Handle("/api/servers/{mid}/shared_servers", v1(handleInvite)).Methods(http.MethodPost)
	r.Handle("/api/servers/{mid}/shared_servers/{id}", v1(handleSharedServer)).Methods(get...)
	r.Handle("/api/v2/servers/{mid}", api(handleServerV2)).Methods(get...)
	r.Handle("/api/v2/shared_servers/invites/received/pending", api(handlePendingInvites)).Methods(get...)
	r.Handle("/api/v2/shared_servers/invites/received/{id}/accept", api(handleAcceptInvite)).Methods(http.MethodPost)
	r.Handle("/pms/servers", v1(handlePMSServers)).Methods(get...)
	r.Handle("/pms/servers.xml", v1(handlePMSServers)).Methods(get...)
	r.Handle("/api/v2/geoip", api(handleGeoIP)).Methods(get...)
	r.Handle("/devices.xml", v1(handleDevices)).Methods(get...)
	homeRoutes(r)
	// Removed by plex.tv (§3.1): 410 for every method.
	for _, p := range []string{"/pms/friends/all", "/api/friends/{id}", "/api/invites/requested", "/api/invites/requests"} {
		r.Handle(p, v1(handleGone))
	}
}

// isV1 reports whether a path is one of plex.tv's legacy XML paths, whose
// errors are Rails-style.
func isV1(path string) bool { return !strings.HasPrefix(path, "/api/v2/") }

// v1Errors is plex.tv's v1 error body: <errors><error>…</error></errors>,
// the element on line 2 (Ombi logs its position).
type v1Errors struct {
	XMLName xml.Name `xml:"errors"`
	Error   string   `xml:"error"`
}

// v1Response is the Rails <Response code status/> body of removed
// endpoints and refused invites.
type v1Response struct {
	XMLName xml.Name `xml:"Response"`
	Code    int      `xml:"code,attr"`
	Status  string   `xml:"status,attr"`
}

const goneStatus = "This endpoint was deprecated and removed"

// gone answers 410 with plex.tv's body for removed endpoints: the
// deprecated effect of a scenario, and the removed routes.
func (x *exchange) gone() {
	x.format = xmlFormat
	x.reply(http.StatusGone, &v1Response{Code: http.StatusGone, Status: goneStatus})
}

func handleGone(s *Server, x *exchange) {
	if x.worldTransport(s.core.decide(scenarios.OpOther, x.req)) {
		return
	}
	x.gone()
}

// failWorld answers err: a v1 path with the XML <errors> body (401
// "Please sign in." for a missing or unknown token), a v2 path with the
// pin API's envelope.
func (x *exchange) failWorld(err error) {
	status, msg := http.StatusInternalServerError, "Internal Server Error"
	switch {
	case errors.Is(err, world.ErrServerNotFound), errors.Is(err, world.ErrShareNotFound), errors.Is(err, world.ErrNotOwner), errors.Is(err, world.ErrNotInvitee):
		status, msg = http.StatusNotFound, "Not Found"
		if !isV1(x.r.URL.Path) {
			x.failWire(wireError{http.StatusNotFound, codeBadRequest, "The requested resource or endpoint could not be found"})
			return
		}
	case errors.Is(err, world.ErrTooManyShares):
		status, msg = http.StatusServiceUnavailable, "mockplex: "+err.Error()
	case errors.Is(err, world.ErrSectionNotFound), errors.Is(err, world.ErrInvalidInvitee), errors.Is(err, world.ErrAlreadyShared),
		errors.Is(err, world.ErrShareWithSelf), errors.Is(err, world.ErrAlreadyAccepted), errors.Is(err, world.ErrTooManyLibraries),
		errors.Is(err, ErrAccountNotFound):
		status, msg = http.StatusBadRequest, err.Error()
		if !isV1(x.r.URL.Path) {
			x.failWire(wireError{status, codeBadRequest, msg})
			return
		}
		// Refused invites are a Rails <Response> (Ombi's AddUserError).
		x.reply(status, &v1Response{Code: status, Status: strings.TrimPrefix(msg, "world: ")})
		return
	default:
		if !isV1(x.r.URL.Path) {
			x.fail(err)
			return
		}
		f := describe(err)
		status, msg = f.wire.Status, f.wire.Message
		if errors.Is(err, errUnauthorized) {
			msg = "Please sign in."
			x.w.Header().Set("WWW-Authenticate", `X-Plex-Token realm="plex.tv"`)
		}
	}
	if !isV1(x.r.URL.Path) {
		x.failWire(wireError{status, status, msg})
		return
	}
	x.reply(status, &v1Errors{Error: msg})
}

// worldTransport carries out a decision on a world route: a scripted
// answer on a v1 path takes the v1 error body, the deprecated effect
// answers 410, and the rest is the responder's.
func (x *exchange) worldTransport(d scenarios.Decision) bool {
	if d.Deprecated {
		x.gone()
		return true
	}
	if r := d.Respond; r != nil && r.Code != 0 && isV1(x.r.URL.Path) && d.Fault == scenarios.FaultNone {
		d.Respond = nil
		if x.transport(d) { // CORS and delay first
			return true
		}
		msg := r.Message
		if msg == "" {
			msg = http.StatusText(r.Status)
		}
		for k, v := range r.Header {
			x.w.Header().Set(k, v)
		}
		x.reply(r.Status, &v1Errors{Error: msg})
		return true
	}
	return x.transport(d)
}

// viewer resolves the request's token (legacy or Plex JWT) to its account
// after the scenario has had its say. It answers failures itself.
func (x *exchange) viewer(s *Server) (*Account, string, scenarios.Decision, bool) {
	token := x.p.get(hToken)
	acc, d, err := s.core.account(token, scenarios.OpOther, x.req)
	if x.worldTransport(d) {
		return nil, "", d, false
	}
	if err != nil {
		if _, known := s.core.accountByToken(token); known && errors.Is(err, errUnauthorized) && isV1(x.r.URL.Path) {
			// An account's token that no longer signs in (its device
			// was revoked, or issued a Plex JWT): v1's 422 (§3.1).
			x.reply(http.StatusUnprocessableEntity, &v1Errors{Error: "Invalid token"})
			return nil, "", d, false
		}
		x.failWorld(err)
		return nil, "", d, false
	}
	return acc, token, d, true
}

// filterOf reads includeHttps, includeRelay and includeIPv6.
func filterOf(p *params) world.Filter {
	return world.Filter{HTTPS: p.flag("includeHttps"), Relay: p.flag("includeRelay"), IPv6: p.flag("includeIPv6")}
}

// varied applies a decision's world variants to a server copy.
func varied(sv world.Server, d scenarios.Decision) world.Server {
	for _, v := range d.World {
		sv.Vary(v)
	}
	return sv
}

// xmlTime is an epoch-seconds attribute.
func epoch(t time.Time) int64 { return t.Unix() }

// v1 resources.

type v1Resources struct {
	XMLName xml.Name   `xml:"MediaContainer"`
	Size    int        `xml:"size,attr"`
	Devices []v1Device `xml:"Device"`
}

type v1Device struct {
	Name                   string         `xml:"name,attr"`
	Product                string         `xml:"product,attr"`
	ProductVersion         string         `xml:"productVersion,attr"`
	Platform               string         `xml:"platform,attr"`
	PlatformVersion        string         `xml:"platformVersion,attr"`
	Device                 string         `xml:"device,attr"`
	ClientIdentifier       string         `xml:"clientIdentifier,attr"`
	CreatedAt              int64          `xml:"createdAt,attr"`
	LastSeenAt             int64          `xml:"lastSeenAt,attr"`
	Provides               string         `xml:"provides,attr"`
	Owned                  xmlBool        `xml:"owned,attr"`
	AccessToken            string         `xml:"accessToken,attr"`
	OwnerID                int64          `xml:"ownerId,attr,omitempty"`
	SourceTitle            string         `xml:"sourceTitle,attr,omitempty"`
	Home                   *xmlBool       `xml:"home,attr,omitempty"`
	SearchEnabled          string         `xml:"searchEnabled,attr"`
	PublicAddress          string         `xml:"publicAddress,attr"`
	HTTPSRequired          xmlBool        `xml:"httpsRequired,attr"`
	Synced                 xmlBool        `xml:"synced,attr"`
	Relay                  xmlBool        `xml:"relay,attr"`
	DNSRebindingProtection xmlBool        `xml:"dnsRebindingProtection,attr"`
	NatLoopbackSupported   xmlBool        `xml:"natLoopbackSupported,attr"`
	PublicAddressMatches   xmlBool        `xml:"publicAddressMatches,attr"`
	Presence               xmlBool        `xml:"presence,attr"`
	Connections            []v1Connection `xml:"Connection"`
}

type v1Connection struct {
	Protocol string  `xml:"protocol,attr"`
	Address  string  `xml:"address,attr"`
	Port     int     `xml:"port,attr"`
	URI      string  `xml:"uri,attr"`
	Local    xmlBool `xml:"local,attr"`
}

const pmsProduct = "Plex Media Server"

func handleResourcesV1(s *Server, x *exchange) {
	acc, token, d, ok := x.viewer(s)
	if !ok {
		return
	}
	f := filterOf(x.p)
	out := v1Resources{Devices: []v1Device{}}
	s.readWorld(func(w *world.World) {
		for _, r := range w.Resources(acc.ID, token) {
			sv := varied(r.Server, d)
			dev := v1Device{
				Name: sv.Name, Product: pmsProduct, ProductVersion: sv.Version, Platform: sv.Platform,
				PlatformVersion: sv.PlatformVersion, Device: sv.Device, ClientIdentifier: sv.MachineIdentifier,
				CreatedAt: epoch(sv.CreatedAt), LastSeenAt: epoch(sv.LastSeenAt), Provides: "server",
				Owned: xmlBool(r.Owned), AccessToken: r.AccessToken, SearchEnabled: "true", PublicAddress: sv.PublicAddress,
				HTTPSRequired: xmlBool(sv.HTTPSRequired), Relay: true, PublicAddressMatches: true, Presence: xmlBool(sv.Presence),
				Connections: []v1Connection{},
			}
			if !r.Owned {
				home := xmlBool(r.Home)
				dev.OwnerID, dev.SourceTitle, dev.Home = r.Owner.ID, r.Owner.Username, &home
			}
			for _, c := range f.Connections(&sv) {
				dev.Connections = append(dev.Connections, v1Connection{Protocol: c.Protocol, Address: c.Address, Port: c.Port, URI: c.URI, Local: xmlBool(c.Local)})
			}
			out.Devices = append(out.Devices, dev)
		}
	})
	out.Size = len(out.Devices)
	x.reply(http.StatusOK, &out)
}

// v2 resources: a bare JSON array, or <resources> in XML.

type v2Resource struct {
	XMLName                xml.Name       `json:"-" xml:"resource"`
	Name                   string         `json:"name" xml:"name,attr"`
	Product                string         `json:"product" xml:"product,attr"`
	ProductVersion         string         `json:"productVersion" xml:"productVersion,attr"`
	Platform               *string        `json:"platform" xml:"platform,attr,omitempty"`
	PlatformVersion        *string        `json:"platformVersion" xml:"platformVersion,attr,omitempty"`
	Device                 *string        `json:"device" xml:"device,attr,omitempty"`
	ClientIdentifier       string         `json:"clientIdentifier" xml:"clientIdentifier,attr"`
	CreatedAt              string         `json:"createdAt" xml:"createdAt,attr"`
	LastSeenAt             string         `json:"lastSeenAt" xml:"lastSeenAt,attr"`
	Provides               string         `json:"provides" xml:"provides,attr"`
	OwnerID                *int64         `json:"ownerId" xml:"ownerId,attr,omitempty"`
	SourceTitle            *string        `json:"sourceTitle" xml:"sourceTitle,attr,omitempty"`
	PublicAddress          string         `json:"publicAddress" xml:"publicAddress,attr"`
	AccessToken            string         `json:"accessToken" xml:"accessToken,attr"`
	Owned                  bool           `json:"owned" xml:"-"`
	Home                   bool           `json:"home" xml:"-"`
	Synced                 bool           `json:"synced" xml:"-"`
	Relay                  bool           `json:"relay" xml:"-"`
	Presence               bool           `json:"presence" xml:"-"`
	HTTPSRequired          bool           `json:"httpsRequired" xml:"-"`
	PublicAddressMatches   bool           `json:"publicAddressMatches" xml:"-"`
	DNSRebindingProtection bool           `json:"dnsRebindingProtection" xml:"-"`
	NatLoopbackSupported   bool           `json:"natLoopbackSupported" xml:"-"`
	XOwned                 xmlBool        `json:"-" xml:"owned,attr"`
	XHome                  xmlBool        `json:"-" xml:"home,attr"`
	XSynced                xmlBool        `json:"-" xml:"synced,attr"`
	XRelay                 xmlBool        `json:"-" xml:"relay,attr"`
	XPresence              xmlBool        `json:"-" xml:"presence,attr"`
	XHTTPSRequired         xmlBool        `json:"-" xml:"httpsRequired,attr"`
	XPublicAddressMatches  xmlBool        `json:"-" xml:"publicAddressMatches,attr"`
	XDNSRebinding          xmlBool        `json:"-" xml:"dnsRebindingProtection,attr"`
	XNatLoopback           xmlBool        `json:"-" xml:"natLoopbackSupported,attr"`
	Connections            []v2Connection `json:"connections" xml:"connections>connection"`
}

type v2Connection struct {
	Protocol string  `json:"protocol" xml:"protocol,attr"`
	Address  string  `json:"address" xml:"address,attr"`
	Port     int     `json:"port" xml:"port,attr"`
	URI      string  `json:"uri" xml:"uri,attr"`
	Local    bool    `json:"local" xml:"-"`
	Relay    bool    `json:"relay" xml:"-"`
	IPv6     bool    `json:"IPv6" xml:"-"`
	XLocal   xmlBool `json:"-" xml:"local,attr"`
	XRelay   xmlBool `json:"-" xml:"relay,attr"`
	XIPv6    xmlBool `json:"-" xml:"IPv6,attr"`
}

type v2ResourcesXML struct {
	XMLName   xml.Name     `xml:"resources"`
	Size      int          `xml:"size,attr"`
	Resources []v2Resource `xml:"resource"`
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func strPtr(s string) *string { return &s }

func handleResourcesV2(s *Server, x *exchange) {
	acc, token, d, ok := x.viewer(s)
	if !ok {
		return
	}
	f := filterOf(x.p)
	if x.format == jsonFormat {
		buf := bufPool.Get().(*bytes.Buffer)
		buf.Reset()
		defer putBuf(buf)
		s.readWorld(func(w *world.World) {
			buf.Write(appendResourcesJSON(buf.AvailableBuffer(), w, acc.ID, token, f, d.World))
		})
		x.send(http.StatusOK, jsonFormat, buf.Bytes())
		return
	}
	var out []v2Resource
	s.readWorld(func(w *world.World) { out = resourcesV2(w, acc.ID, token, f, d.World) })
	x.reply(http.StatusOK, bodies{json: out, xml: &v2ResourcesXML{Size: len(out), Resources: out}})
}

// /api/users.

// myPlex is the MediaContainer attributes of plex.tv's myPlex listings.
type myPlex struct {
	FriendlyName      string `xml:"friendlyName,attr"`
	Identifier        string `xml:"identifier,attr"`
	MachineIdentifier string `xml:"machineIdentifier,attr"`
}

// myPlexOf is the listings' container for an account (or a server).
func myPlexOf(machineID string) myPlex {
	return myPlex{FriendlyName: "myPlex", Identifier: "com.plexapp.plugins.myplex", MachineIdentifier: machineID}
}

// accountMachineID is a stable 40-hex identifier of an account, the
// machineIdentifier of its listings.
func accountMachineID(a *Account) string {
	sum := sha1.Sum([]byte("mockplex account " + a.UUID))
	return hex.EncodeToString(sum[:])
}

type v1Users struct {
	XMLName xml.Name `xml:"MediaContainer"`
	myPlex
	TotalSize int      `xml:"totalSize,attr"`
	Size      int      `xml:"size,attr"`
	Users     []v1User `xml:"User"`
}

type v1User struct {
	ID                        int64      `xml:"id,attr"`
	Title                     string     `xml:"title,attr"`
	Username                  string     `xml:"username,attr"`
	Email                     string     `xml:"email,attr"`
	RecommendationsPlaylistID string     `xml:"recommendationsPlaylistId,attr"`
	Thumb                     string     `xml:"thumb,attr"`
	Protected                 xmlBool    `xml:"protected,attr"`
	Home                      xmlBool    `xml:"home,attr"`
	AllowTuners               xmlBool    `xml:"allowTuners,attr"`
	AllowSync                 xmlBool    `xml:"allowSync,attr"`
	AllowCameraUpload         xmlBool    `xml:"allowCameraUpload,attr"`
	AllowChannels             xmlBool    `xml:"allowChannels,attr"`
	AllowSubtitleAdmin        xmlBool    `xml:"allowSubtitleAdmin,attr"`
	FilterAll                 string     `xml:"filterAll,attr"`
	FilterMovies              string     `xml:"filterMovies,attr"`
	FilterMusic               string     `xml:"filterMusic,attr"`
	FilterPhotos              string     `xml:"filterPhotos,attr"`
	FilterTelevision          string     `xml:"filterTelevision,attr"`
	Restricted                xmlBool    `xml:"restricted,attr"`
	Servers                   []v1Server `xml:"Server"`
}

type v1Server struct {
	ID                int64   `xml:"id,attr"`
	ServerID          int64   `xml:"serverId,attr"`
	MachineIdentifier string  `xml:"machineIdentifier,attr"`
	Name              string  `xml:"name,attr"`
	LastSeenAt        int64   `xml:"lastSeenAt,attr"`
	NumLibraries      int     `xml:"numLibraries,attr"`
	AllLibraries      xmlBool `xml:"allLibraries,attr"`
	Owned             xmlBool `xml:"owned,attr"`
	Pending           xmlBool `xml:"pending,attr"`
}

// serverID is a server's numeric id on plex.tv, derived from its machine
// identifier.
func serverID(machineID string) int64 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(machineID))
	return int64(h.Sum32()%90_000_000) + 10_000_000
}

func handleUsers(s *Server, x *exchange) {
	acc, _, _, ok := x.viewer(s)
	if !ok {
		return
	}
	out := v1Users{myPlex: myPlexOf(accountMachineID(acc)), Users: []v1User{}}
	s.readWorld(func(w *world.World) {
		for _, f := range w.Friends(acc.ID) {
			u := v1User{
				ID: f.Account.ID, Title: f.Account.Title, Username: f.Account.Username, Email: f.Account.Email,
				Thumb: f.Account.Thumb, Servers: []v1Server{},
			}
			if m := f.Member; m != nil { // a member of the caller's Home
				u.Home, u.Restricted, u.Protected = true, xmlBool(m.Restricted), xmlBool(m.Protected())
			}
			for i, ss := range f.Shares {
				if i == 0 {
					st := ss.Share.Settings
					u.AllowSync, u.AllowCameraUpload, u.AllowChannels = xmlBool(st.AllowSync), xmlBool(st.AllowCameraUpload), xmlBool(st.AllowChannels)
					u.AllowTuners, u.AllowSubtitleAdmin = xmlBool(st.AllowTuners), xmlBool(st.AllowSubtitleAdmin)
					u.FilterAll, u.FilterMovies, u.FilterMusic = st.FilterAll, st.FilterMovies, st.FilterMusic
					u.FilterPhotos, u.FilterTelevision = st.FilterPhotos, st.FilterTelevision
				}
				u.Servers = append(u.Servers, v1Server{
					ID: ss.Share.ID, ServerID: serverID(ss.Server.MachineIdentifier), MachineIdentifier: ss.Server.MachineIdentifier,
					Name: ss.Server.Name, LastSeenAt: epoch(ss.Server.LastSeenAt), NumLibraries: len(ss.Sections()),
					AllLibraries: xmlBool(ss.Share.AllLibraries), Pending: xmlBool(ss.Share.Pending()),
				})
			}
			out.Users = append(out.Users, u)
		}
	})
	out.Size, out.TotalSize = len(out.Users), len(out.Users)
	x.reply(http.StatusOK, &out)
}

// shared_servers.

type v1SharedServers struct {
	XMLName xml.Name `xml:"MediaContainer"`
	myPlex
	Size          int              `xml:"size,attr"`
	SharedServers []v1SharedServer `xml:"SharedServer"`
}

type v1SharedServer struct {
	ID                 int64       `xml:"id,attr"`
	Username           string      `xml:"username,attr"`
	Email              string      `xml:"email,attr"`
	UserID             int64       `xml:"userID,attr"`
	AccessToken        string      `xml:"accessToken,attr"`
	Name               string      `xml:"name,attr"`
	AcceptedAt         int64       `xml:"acceptedAt,attr,omitempty"`
	InvitedAt          int64       `xml:"invitedAt,attr"`
	AllowSync          xmlBool     `xml:"allowSync,attr"`
	AllowCameraUpload  xmlBool     `xml:"allowCameraUpload,attr"`
	AllowChannels      xmlBool     `xml:"allowChannels,attr"`
	AllowTuners        xmlBool     `xml:"allowTuners,attr"`
	AllowSubtitleAdmin xmlBool     `xml:"allowSubtitleAdmin,attr"`
	Owned              xmlBool     `xml:"owned,attr"`
	AllLibraries       xmlBool     `xml:"allLibraries,attr"`
	FilterAll          string      `xml:"filterAll,attr"`
	FilterMovies       string      `xml:"filterMovies,attr"`
	FilterMusic        string      `xml:"filterMusic,attr"`
	FilterPhotos       string      `xml:"filterPhotos,attr"`
	FilterTelevision   string      `xml:"filterTelevision,attr"`
	Sections           []v1Section `xml:"Section"`
}

type v1Section struct {
	ID     int64    `xml:"id,attr"`
	Key    int64    `xml:"key,attr"`
	Title  string   `xml:"title,attr"`
	Type   string   `xml:"type,attr"`
	Shared *xmlBool `xml:"shared,attr,omitempty"`
}

func sharedServerXML(w *world.World, ss world.SharedServer) v1SharedServer {
	sh, st := ss.Share, ss.Share.Settings
	out := v1SharedServer{
		ID: sh.ID, Email: sh.InvitedEmail, AccessToken: sh.AccessToken, Name: ss.Server.Name, InvitedAt: epoch(sh.InvitedAt),
		AllowSync: xmlBool(st.AllowSync), AllowCameraUpload: xmlBool(st.AllowCameraUpload), AllowChannels: xmlBool(st.AllowChannels),
		AllowTuners: xmlBool(st.AllowTuners), AllowSubtitleAdmin: xmlBool(st.AllowSubtitleAdmin), Owned: true,
		AllLibraries: xmlBool(sh.AllLibraries), FilterAll: st.FilterAll, FilterMovies: st.FilterMovies, FilterMusic: st.FilterMusic,
		FilterPhotos: st.FilterPhotos, FilterTelevision: st.FilterTelevision, Sections: []v1Section{},
	}
	if sh.Invitee != 0 {
		out.UserID = sh.Invitee
		if a, ok := w.Account(sh.Invitee); ok {
			out.Username, out.Email = a.Username, a.Email
		}
	}
	if sh.AcceptedAt != nil {
		out.AcceptedAt = epoch(*sh.AcceptedAt)
	}
	granted := ss.Sections()
	for _, l := range ss.Server.Libraries {
		shared := xmlBool(slices.Contains(granted, l))
		out.Sections = append(out.Sections, v1Section{ID: l.ID, Key: l.Key, Title: l.Title, Type: l.Type, Shared: &shared})
	}
	return out
}

func handleSharedServers(s *Server, x *exchange) {
	acc, _, _, ok := x.viewer(s)
	if !ok {
		return
	}
	mid := mux.Vars(x.r)["mid"]
	out := v1SharedServers{myPlex: myPlexOf(mid), SharedServers: []v1SharedServer{}}
	var err error
	s.readWorld(func(w *world.World) {
		var all []world.SharedServer
		if all, err = w.SharedServers(acc.ID, mid); err == nil {
			for _, ss := range all {
				out.SharedServers = append(out.SharedServers, sharedServerXML(w, ss))
			}
		}
	})
	if err != nil {
		x.failWorld(err)
		return
	}
	out.Size = len(out.SharedServers)
	x.reply(http.StatusOK, &out)
}

// parseID reads a positive integer path segment.
func parseID(seg string) (int64, bool) {
	id, err := strconv.ParseInt(seg, 10, 64)
	return id, err == nil && id > 0
}

func handleSharedServer(s *Server, x *exchange) {
	acc, _, _, ok := x.viewer(s)
	if !ok {
		return
	}
	vars := mux.Vars(x.r)
	id, ok := parseID(vars["id"])
	if !ok {
		x.failWorld(world.ErrShareNotFound)
		return
	}
	out := v1SharedServers{myPlex: myPlexOf(vars["mid"]), SharedServers: []v1SharedServer{}}
	var err error
	s.readWorld(func(w *world.World) {
		var ss world.SharedServer
		if ss, err = w.SharedServer(acc.ID, vars["mid"], id); err == nil {
			out.SharedServers = append(out.SharedServers, sharedServerXML(w, ss))
		}
	})
	if err != nil {
		x.failWorld(err)
		return
	}
	out.Size = 1
	x.reply(http.StatusOK, &out)
}

// inviteBody is POST /api/servers/{mid}/shared_servers's JSON body
// (python-plexapi's inviteFriend, Ombi).
type inviteBody struct {
	ServerID     any `json:"server_id"`
	SharedServer struct {
		LibrarySectionIDs []int64 `json:"library_section_ids"`
		InvitedEmail      string  `json:"invited_email"`
		InvitedID         any     `json:"invited_id"`
	} `json:"shared_server"`
	SharingSettings map[string]any `json:"sharing_settings"`
}

func handleInvite(s *Server, x *exchange) {
	acc, _, _, ok := x.viewer(s)
	if !ok {
		return
	}
	var body inviteBody
	raw, _ := json.Marshal(x.p.json)
	if x.p.json == nil || json.Unmarshal(raw, &body) != nil {
		x.reply(http.StatusBadRequest, &v1Response{Code: http.StatusBadRequest, Status: "the body must be JSON: {server_id, shared_server: {library_section_ids, invited_email or invited_id}, sharing_settings}"})
		return
	}
	mid := mux.Vars(x.r)["mid"]
	in := world.Invite{Owner: acc.ID, Server: mid, Sections: body.SharedServer.LibrarySectionIDs, Now: s.core.clock.Now()}
	in.AllLibraries = len(in.Sections) == 0
	in.Settings = inviteSettings(body.SharingSettings)
	ref := body.SharedServer.InvitedEmail
	if body.SharedServer.InvitedID != nil {
		ref = strings.Trim(jsonString(body.SharedServer.InvitedID), `"`)
	}
	if ref != "" {
		if invitee, found := s.core.findAccount(ref); found {
			wa := worldAccount(invitee)
			in.Invitee = &wa
		} else if body.SharedServer.InvitedID != nil {
			x.failWorld(errors.New(ErrAccountNotFound.Error() + ": " + ref))
			return
		} else {
			in.Email = ref
		}
	}
	in.AccessToken = s.core.newToken()
	var out v1SharedServers
	var err error
	_ = s.changeWorld(func(w *world.World) error {
		var sh world.Share
		if sh, err = w.Invite(in); err == nil {
			sv, _ := w.Server(mid)
			out = v1SharedServers{myPlex: myPlexOf(mid), Size: 1, SharedServers: []v1SharedServer{sharedServerXML(w, world.SharedServer{Share: sh, Server: *sv})}}
		}
		return err
	})
	if err != nil {
		x.failWorld(err)
		return
	}
	x.reply(http.StatusOK, &out)
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// inviteSettings reads sharing_settings: "0"/"1", numbers and booleans for
// allow*, strings for filter*.
func inviteSettings(m map[string]any) world.Settings {
	on := func(k string) bool {
		switch v := m[k].(type) {
		case bool:
			return v
		case float64:
			return v != 0
		case string:
			return v == "1" || strings.EqualFold(v, "true")
		}
		return false
	}
	str := func(k string) string { s, _ := m[k].(string); return s }
	return world.Settings{
		AllowSync: on("allowSync"), AllowCameraUpload: on("allowCameraUpload"), AllowChannels: on("allowChannels"),
		AllowTuners: on("allowTuners"), AllowSubtitleAdmin: on("allowSubtitleAdmin"),
		FilterAll: str("filterAll"), FilterMovies: str("filterMovies"), FilterMusic: str("filterMusic"),
		FilterPhotos: str("filterPhotos"), FilterTelevision: str("filterTelevision"),
	}
}

// invites received (clients.plex.tv's v2 family, Wizarr's post-join).

type v2Invite struct {
	XMLName      xml.Name `json:"-" xml:"invite"`
	ID           int64    `json:"id" xml:"id,attr"`
	Owner        string   `json:"owner" xml:"owner,attr"`
	OwnerID      int64    `json:"ownerId" xml:"ownerId,attr"`
	Server       string   `json:"machineIdentifier" xml:"machineIdentifier,attr"`
	Name         string   `json:"name" xml:"name,attr"`
	NumLibraries int      `json:"numLibraries" xml:"numLibraries,attr"`
	InvitedAt    string   `json:"invitedAt" xml:"invitedAt,attr"`
	AcceptedAt   *string  `json:"acceptedAt" xml:"acceptedAt,attr,omitempty"`
}

type v2Invites struct {
	XMLName xml.Name   `xml:"invites"`
	Invites []v2Invite `xml:"invite"`
}

func inviteOf(w *world.World, ss world.SharedServer) v2Invite {
	owner, _ := w.Account(ss.Server.Owner)
	inv := v2Invite{
		ID: ss.Share.ID, Owner: owner.Username, OwnerID: ss.Server.Owner, Server: ss.Server.MachineIdentifier,
		Name: ss.Server.Name, NumLibraries: len(ss.Sections()), InvitedAt: rfc3339(ss.Share.InvitedAt),
	}
	if ss.Share.AcceptedAt != nil {
		inv.AcceptedAt = strPtr(rfc3339(*ss.Share.AcceptedAt))
	}
	return inv
}

func handlePendingInvites(s *Server, x *exchange) {
	acc, _, _, ok := x.viewer(s)
	if !ok {
		return
	}
	out := []v2Invite{}
	s.readWorld(func(w *world.World) {
		for _, ss := range w.Pending(acc.ID) {
			out = append(out, inviteOf(w, ss))
		}
	})
	x.reply(http.StatusOK, bodies{json: out, xml: &v2Invites{Invites: out}})
}

func handleAcceptInvite(s *Server, x *exchange) {
	acc, _, _, ok := x.viewer(s)
	if !ok {
		return
	}
	id, ok := parseID(mux.Vars(x.r)["id"])
	if !ok {
		x.failWorld(world.ErrShareNotFound)
		return
	}
	var out v2Invite
	err := s.changeWorld(func(w *world.World) error {
		sh, err := w.Accept(acc.ID, id, s.core.clock.Now())
		if err != nil {
			return err
		}
		sv, _ := w.Server(sh.Server)
		out = inviteOf(w, world.SharedServer{Share: sh, Server: *sv})
		return nil
	})
	if err != nil {
		x.failWorld(err)
		return
	}
	x.reply(http.StatusOK, &out)
}

// /api/servers/{mid} (v1 XML) and /api/v2/servers/{mid}.

type v1ServerContainer struct {
	XMLName xml.Name `xml:"MediaContainer"`
	myPlex
	Size    int            `xml:"size,attr"`
	Servers []v1ServerFull `xml:"Server"`
}

type v1ServerFull struct {
	Name              string      `xml:"name,attr"`
	Address           string      `xml:"address,attr"`
	Port              int         `xml:"port,attr"`
	Version           string      `xml:"version,attr"`
	Scheme            string      `xml:"scheme,attr"`
	Host              string      `xml:"host,attr"`
	LocalAddresses    string      `xml:"localAddresses,attr"`
	MachineIdentifier string      `xml:"machineIdentifier,attr"`
	CreatedAt         int64       `xml:"createdAt,attr"`
	UpdatedAt         int64       `xml:"updatedAt,attr"`
	Owned             xmlBool     `xml:"owned,attr"`
	Synced            xmlBool     `xml:"synced,attr"`
	Sections          []v1Section `xml:"Section"`
}

type v2Server struct {
	XMLName           xml.Name    `json:"-" xml:"server"`
	Name              string      `json:"name" xml:"name,attr"`
	Address           string      `json:"address" xml:"address,attr"`
	Port              int         `json:"port" xml:"port,attr"`
	Version           string      `json:"version" xml:"version,attr"`
	Scheme            string      `json:"scheme" xml:"scheme,attr"`
	Synced            bool        `json:"synced" xml:"-"`
	Owned             bool        `json:"owned" xml:"-"`
	XSynced           xmlBool     `json:"-" xml:"synced,attr"`
	XOwned            xmlBool     `json:"-" xml:"owned,attr"`
	LocalAddresses    string      `json:"localAddresses" xml:"localAddresses,attr"`
	MachineIdentifier string      `json:"machineIdentifier" xml:"machineIdentifier,attr"`
	CreatedAt         int64       `json:"createdAt" xml:"createdAt,attr"`
	UpdatedAt         int64       `json:"updatedAt" xml:"updatedAt,attr"`
	LibrarySections   []v2Library `json:"librarySections" xml:"librarySections>librarySection"`
}

type v2Library struct {
	ID    int64  `json:"id" xml:"id,attr"`
	Key   int64  `json:"key" xml:"key,attr"`
	Title string `json:"title" xml:"title,attr"`
	Type  string `json:"type" xml:"type,attr"`
}

// serverAddress is the address, port and scheme /api/servers reports: the
// public address with the first remote connection's port.
func serverAddress(sv *world.Server) (addr string, port int, scheme, local string) {
	addr, port, scheme = sv.PublicAddress, 32400, "http"
	var locals []string
	for _, c := range sv.Connections {
		if c.Local {
			locals = append(locals, c.Address)
		} else if port == 32400 && !c.Relay {
			port, scheme = c.Port, c.Protocol
		}
	}
	return addr, port, scheme, strings.Join(locals, ",")
}

// serverView finds the server for the viewer, with the decision's
// variants. It answers failures itself.
func serverView(s *Server, x *exchange) (world.Server, bool, bool) {
	acc, _, d, ok := x.viewer(s)
	if !ok {
		return world.Server{}, false, false
	}
	var sv world.Server
	var owned bool
	var err error
	s.readWorld(func(w *world.World) { sv, owned, err = w.ServerView(acc.ID, mux.Vars(x.r)["mid"]) })
	if err != nil {
		x.failWorld(err)
		return world.Server{}, false, false
	}
	return varied(sv, d), owned, true
}

func handleServerV1(s *Server, x *exchange) {
	sv, owned, ok := serverView(s, x)
	if !ok {
		return
	}
	addr, port, scheme, locals := serverAddress(&sv)
	full := v1ServerFull{
		Name: sv.Name, Address: addr, Port: port, Version: sv.Version, Scheme: scheme, Host: addr, LocalAddresses: locals,
		MachineIdentifier: sv.MachineIdentifier, CreatedAt: epoch(sv.CreatedAt), UpdatedAt: epoch(sv.LastSeenAt),
		Owned: xmlBool(owned), Sections: []v1Section{},
	}
	for _, l := range sv.Libraries {
		full.Sections = append(full.Sections, v1Section{ID: l.ID, Key: l.Key, Title: l.Title, Type: l.Type})
	}
	x.reply(http.StatusOK, &v1ServerContainer{myPlex: myPlexOf(sv.MachineIdentifier), Size: 1, Servers: []v1ServerFull{full}})
}

func handleServerV2(s *Server, x *exchange) {
	sv, owned, ok := serverView(s, x)
	if !ok {
		return
	}
	addr, port, scheme, locals := serverAddress(&sv)
	out := v2Server{
		Name: sv.Name, Address: addr, Port: port, Version: sv.Version, Scheme: scheme, Owned: owned, XOwned: xmlBool(owned),
		LocalAddresses: locals, MachineIdentifier: sv.MachineIdentifier, CreatedAt: epoch(sv.CreatedAt),
		UpdatedAt: epoch(sv.LastSeenAt), LibrarySections: []v2Library{},
	}
	for _, l := range sv.Libraries {
		out.LibrarySections = append(out.LibrarySections, v2Library{ID: l.ID, Key: l.Key, Title: l.Title, Type: l.Type})
	}
	x.reply(http.StatusOK, &out)
}

// GET /pms/servers[.xml]: empty even for owners of servers, as live
// (§3.10).
type v1Empty struct {
	XMLName xml.Name `xml:"MediaContainer"`
	myPlex
	Size int `xml:"size,attr"`
}

func handlePMSServers(s *Server, x *exchange) {
	acc, _, _, ok := x.viewer(s)
	if !ok {
		return
	}
	x.reply(http.StatusOK, &v1Empty{myPlex: myPlexOf(accountMachineID(acc))})
}

// GET /api/v2/geoip?ip_address=: a location from the mock's pool, the same
// for the same address.

type geoLocation struct {
	XMLName                    xml.Name `json:"-" xml:"location"`
	Code                       string   `json:"code" xml:"code,attr"`
	ContinentCode              string   `json:"continent_code" xml:"continent_code,attr"`
	Country                    string   `json:"country" xml:"country,attr"`
	City                       string   `json:"city" xml:"city,attr"`
	EuropeanUnionMember        bool     `json:"european_union_member" xml:"-"`
	XEU                        xmlBool  `json:"-" xml:"european_union_member,attr"`
	TimeZone                   string   `json:"time_zone" xml:"time_zone,attr"`
	PostalCode                 string   `json:"postal_code" xml:"postal_code,attr"`
	InPrivacyRestrictedCountry bool     `json:"in_privacy_restricted_country" xml:"-"`
	XPrivCountry               xmlBool  `json:"-" xml:"in_privacy_restricted_country,attr"`
	InPrivacyRestrictedRegion  bool     `json:"in_privacy_restricted_region" xml:"-"`
	XPrivRegion                xmlBool  `json:"-" xml:"in_privacy_restricted_region,attr"`
	Subdivisions               string   `json:"subdivisions" xml:"subdivisions,attr"`
	Coordinates                string   `json:"coordinates" xml:"coordinates,attr"`
}

func handleGeoIP(s *Server, x *exchange) {
	if _, _, _, ok := x.viewer(s); !ok {
		return
	}
	raw := x.p.get("ip_address")
	ip, err := netip.ParseAddr(raw)
	if err != nil {
		x.fail(errorf(errBadRequest, "ip_address must be an IP address, got %q", raw))
		return
	}
	h := fnv.New32a()
	_, _ = h.Write(ip.AsSlice())
	pool := s.core.locations()
	l := pool[int(h.Sum32()%uint32(len(pool)))]
	x.reply(http.StatusOK, &geoLocation{
		Code: l.Code, ContinentCode: l.ContinentCode, Country: l.Country, City: l.City,
		EuropeanUnionMember: l.EuropeanUnionMember, XEU: xmlBool(l.EuropeanUnionMember), TimeZone: l.TimeZone,
		PostalCode: l.PostalCode, InPrivacyRestrictedCountry: l.InPrivacyRestrictedCountry, XPrivCountry: xmlBool(l.InPrivacyRestrictedCountry),
		InPrivacyRestrictedRegion: l.InPrivacyRestrictedRegion, XPrivRegion: xmlBool(l.InPrivacyRestrictedRegion),
		Subdivisions: l.Subdivisions, Coordinates: l.Coordinates,
	})
}

// GET /devices.xml: the apps that signed in to the account with a pin,
// then its servers.

type v1Devices struct {
	XMLName       xml.Name      `xml:"MediaContainer"`
	PublicAddress string        `xml:"publicAddress,attr"`
	Size          int           `xml:"size,attr"`
	Devices       []v1DeviceRow `xml:"Device"`
}

type v1DeviceRow struct {
	Name             string         `xml:"name,attr"`
	PublicAddress    string         `xml:"publicAddress,attr"`
	Product          string         `xml:"product,attr"`
	ProductVersion   string         `xml:"productVersion,attr"`
	Platform         string         `xml:"platform,attr"`
	PlatformVersion  string         `xml:"platformVersion,attr"`
	Device           string         `xml:"device,attr"`
	Model            string         `xml:"model,attr"`
	Vendor           string         `xml:"vendor,attr"`
	Provides         string         `xml:"provides,attr"`
	ClientIdentifier string         `xml:"clientIdentifier,attr"`
	Version          string         `xml:"version,attr"`
	ID               int64          `xml:"id,attr"`
	Token            string         `xml:"token,attr"`
	CreatedAt        int64          `xml:"createdAt,attr"`
	LastSeenAt       int64          `xml:"lastSeenAt,attr"`
	ScreenResolution string         `xml:"screenResolution,attr"`
	ScreenDensity    string         `xml:"screenDensity,attr"`
	Connections      []v1DeviceConn `xml:"Connection"`
}

type v1DeviceConn struct {
	URI string `xml:"uri,attr"`
}

func handleDevices(s *Server, x *exchange) {
	acc, token, _, ok := x.viewer(s)
	if !ok {
		return
	}
	out := v1Devices{PublicAddress: "127.0.0.1", Devices: []v1DeviceRow{}}
	seen := map[string]bool{}
	pins := s.core.all()
	slices.Reverse(pins) // oldest first
	for _, p := range pins {
		if p.Account != acc.Username || p.AuthToken == nil || seen[p.ClientIdentifier] {
			continue
		}
		seen[p.ClientIdentifier] = true
		created, _ := time.Parse(time.RFC3339, p.CreatedAt)
		out.Devices = append(out.Devices, v1DeviceRow{
			Name: p.Product, PublicAddress: "127.0.0.1", Product: p.Product, Provides: "client", ClientIdentifier: p.ClientIdentifier,
			ID: p.ID, Token: *p.AuthToken, CreatedAt: created.Unix(), LastSeenAt: created.Unix(), Connections: []v1DeviceConn{},
		})
	}
	s.readWorld(func(w *world.World) {
		for _, r := range w.Resources(acc.ID, token) {
			if !r.Owned {
				continue
			}
			sv := r.Server
			row := v1DeviceRow{
				Name: sv.Name, PublicAddress: sv.PublicAddress, Product: pmsProduct, ProductVersion: sv.Version, Platform: sv.Platform,
				PlatformVersion: sv.PlatformVersion, Device: sv.Device, Provides: "server", ClientIdentifier: sv.MachineIdentifier,
				Version: sv.Version, ID: serverID(sv.MachineIdentifier), Token: r.AccessToken, CreatedAt: epoch(sv.CreatedAt),
				LastSeenAt: epoch(sv.LastSeenAt), Connections: []v1DeviceConn{},
			}
			for _, c := range sv.Connections {
				row.Connections = append(row.Connections, v1DeviceConn{URI: c.URI})
			}
			out.Devices = append(out.Devices, row)
		}
	})
	out.Size = len(out.Devices)
	x.reply(http.StatusOK, &out)
}

// The control API's world: GET the whole world as JSON, PUT a new one.

func ctlWorld(s *Server, x *exchange) {
	if x.r.Method == http.MethodGet {
		x.control(http.StatusOK, s.World())
		return
	}
	// The body is limited by Config.MaxBodyBytes (limitBody, 413); a world
	// over world.MaxFileSize is world.Parse's to refuse (400), and the
	// LimitReader only stops reading past it.
	body, err := readBody(io.LimitReader(x.r.Body, world.MaxFileSize+1))
	if err != nil {
		x.controlFail(err)
		return
	}
	w, err := world.Parse("PUT /__mockplex/world", body, s.worldAccounts(), s.core.clock.Now())
	if err != nil {
		writeJSON(x, http.StatusBadRequest, controlError{Error: err.Error(), Code: codeMockplex})
		return
	}
	s.world.mu.Lock()
	s.world.cur = w
	s.world.mu.Unlock()
	x.control(http.StatusOK, s.World())
}

// marshalWorld is a world's JSON form, which world.Parse reads back.
func marshalWorld(w *world.World) ([]byte, error) {
	var b bytes.Buffer
	if err := json.NewEncoder(&b).Encode(w); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// resourcesV2 is GET /api/v2/resources's body for the viewer, as structs
// (the XML form; appendResourcesJSON writes the JSON form directly).
func resourcesV2(w *world.World, viewer int64, token string, f world.Filter, variants []string) []v2Resource {
	out := []v2Resource{}
	for _, r := range w.Resources(viewer, token) {
		sv := r.Server
		for _, v := range variants {
			sv.Vary(v)
		}
		res := v2Resource{
			Name: sv.Name, Product: pmsProduct, ProductVersion: sv.Version, Platform: strPtr(sv.Platform),
			PlatformVersion: strPtr(sv.PlatformVersion), Device: strPtr(sv.Device), ClientIdentifier: sv.MachineIdentifier,
			CreatedAt: rfc3339(sv.CreatedAt), LastSeenAt: rfc3339(sv.LastSeenAt), Provides: "server",
			PublicAddress: sv.PublicAddress, AccessToken: r.AccessToken, Owned: r.Owned, Home: r.Home, Relay: true,
			Presence: sv.Presence, HTTPSRequired: sv.HTTPSRequired, PublicAddressMatches: true,
			Connections: []v2Connection{},
		}
		if !r.Owned {
			id := r.Owner.ID
			res.OwnerID, res.SourceTitle = &id, strPtr(r.Owner.Username)
		}
		res.XOwned, res.XHome, res.XRelay, res.XPresence = xmlBool(res.Owned), xmlBool(res.Home), xmlBool(res.Relay), xmlBool(res.Presence)
		res.XHTTPSRequired, res.XPublicAddressMatches = xmlBool(res.HTTPSRequired), xmlBool(res.PublicAddressMatches)
		for _, c := range f.Connections(&sv) {
			res.Connections = append(res.Connections, v2Connection{
				Protocol: c.Protocol, Address: c.Address, Port: c.Port, URI: c.URI, Local: c.Local, Relay: c.Relay, IPv6: c.IPv6,
				XLocal: xmlBool(c.Local), XRelay: xmlBool(c.Relay), XIPv6: xmlBool(c.IPv6),
			})
		}
		out = append(out, res)
	}
	return out
}
