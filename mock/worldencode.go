package mock

import (
	"strconv"
	"time"

	"github.com/mockplex/mockplex/world"
)

// appendResourcesJSON appends GET /api/v2/resources's JSON body for the
// viewer, exactly as encoding/json encodes []v2Resource (worldencode_test.go
// holds it to that, fuzzed): the resources list is the post-sign-in call
// apps make most, and BENCHMARKS.md holds it to 0.8 of a poll's throughput.
func appendResourcesJSON(b []byte, w *world.World, viewer int64, token string, f world.Filter, variants []string) []byte {
	b = append(b, '[')
	first := true
	w.EachResource(viewer, token, func(r *world.Resource) {
		sv := &r.Server
		for _, v := range variants {
			sv.Vary(v)
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, `{"name":`...)
		b = appendJSONString(b, sv.Name)
		b = append(b, `,"product":"`+pmsProduct+`","productVersion":`...)
		b = appendJSONString(b, sv.Version)
		b = append(b, `,"platform":`...)
		b = appendJSONString(b, sv.Platform)
		b = append(b, `,"platformVersion":`...)
		b = appendJSONString(b, sv.PlatformVersion)
		b = append(b, `,"device":`...)
		b = appendJSONString(b, sv.Device)
		b = append(b, `,"clientIdentifier":`...)
		b = appendJSONString(b, sv.MachineIdentifier)
		b = append(b, `,"createdAt":"`...)
		b = sv.CreatedAt.UTC().AppendFormat(b, time.RFC3339)
		b = append(b, `","lastSeenAt":"`...)
		b = sv.LastSeenAt.UTC().AppendFormat(b, time.RFC3339)
		b = append(b, `","provides":"server","ownerId":`...)
		if r.Owned {
			b = append(b, `null,"sourceTitle":null`...)
		} else {
			b = strconv.AppendInt(b, r.Owner.ID, 10)
			b = append(b, `,"sourceTitle":`...)
			b = appendJSONString(b, r.Owner.Username)
		}
		b = append(b, `,"publicAddress":`...)
		b = appendJSONString(b, sv.PublicAddress)
		b = append(b, `,"accessToken":`...)
		b = appendJSONString(b, r.AccessToken)
		b = append(b, `,"owned":`...)
		b = strconv.AppendBool(b, r.Owned)
		b = append(b, `,"home":`...)
		b = strconv.AppendBool(b, r.Home)
		b = append(b, `,"synced":false,"relay":true,"presence":`...)
		b = strconv.AppendBool(b, sv.Presence)
		b = append(b, `,"httpsRequired":`...)
		b = strconv.AppendBool(b, sv.HTTPSRequired)
		b = append(b, `,"publicAddressMatches":true,"dnsRebindingProtection":false,"natLoopbackSupported":false,"connections":[`...)
		firstConn := true
		for i := range sv.Connections {
			c := &sv.Connections[i]
			if !f.Sees(c) {
				continue
			}
			if !firstConn {
				b = append(b, ',')
			}
			firstConn = false
			b = append(b, `{"protocol":`...)
			b = appendJSONString(b, c.Protocol)
			b = append(b, `,"address":`...)
			b = appendJSONString(b, c.Address)
			b = append(b, `,"port":`...)
			b = strconv.AppendInt(b, int64(c.Port), 10)
			b = append(b, `,"uri":`...)
			b = appendJSONString(b, c.URI)
			b = append(b, `,"local":`...)
			b = strconv.AppendBool(b, c.Local)
			b = append(b, `,"relay":`...)
			b = strconv.AppendBool(b, c.Relay)
			b = append(b, `,"IPv6":`...)
			b = strconv.AppendBool(b, c.IPv6)
			b = append(b, '}')
		}
		b = append(b, "]}"...)
	})
	return append(b, ']')
}
