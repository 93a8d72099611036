package mock

import qrcode "github.com/skip2/go-qrcode"

// qrPNG renders url as a QR code PNG, as GET /api/v2/pins/qr/{code} serves.
func qrPNG(url string) ([]byte, error) {
	return qrcode.Encode(url, qrcode.Medium, 256)
}
