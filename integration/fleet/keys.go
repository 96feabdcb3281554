package fleet

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
)

// Keys are generated in Go rather than with ssh-keygen: a fleet of hundreds of
// hosts would otherwise spend most of its start-up forking ssh-keygen.
// Ed25519 keys are written in OpenSSH's own format; ECDSA and RSA keys in the
// PEM formats that OpenSSH reads through OpenSSL.

// rsaBits keeps RSA host keys quick to generate; OpenSSH accepts 2048.
const rsaBits = 2048

// genKey writes a private key of type typ to path (mode 0600) and path+".pub",
// and returns the public key in authorized_keys format ("type base64").
func genKey(typ, path, comment string) (string, error) {
	var priv []byte
	var pub []byte
	switch typ {
	case "ed25519":
		pk, sk, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return "", err
		}
		pub = sshString(nil, "ssh-ed25519")
		pub = sshString(pub, string(pk))
		priv = opensshEd25519(pub, pk, sk, comment)
	case "ecdsa":
		sk, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return "", err
		}
		der, err := x509.MarshalECPrivateKey(sk)
		if err != nil {
			return "", err
		}
		priv = pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
		point, err := sk.PublicKey.Bytes() // uncompressed point
		if err != nil {
			return "", err
		}
		pub = sshString(nil, "ecdsa-sha2-nistp256")
		pub = sshString(pub, "nistp256")
		pub = sshString(pub, string(point))
	case "rsa":
		sk, err := rsa.GenerateKey(rand.Reader, rsaBits)
		if err != nil {
			return "", err
		}
		priv = pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(sk)})
		pub = sshString(nil, "ssh-rsa")
		pub = sshMpint(pub, big.NewInt(int64(sk.E)))
		pub = sshMpint(pub, sk.N)
	default:
		return "", fmt.Errorf("fleet: unsupported key type %q (want ed25519, ecdsa or rsa)", typ)
	}
	line := keyType(typ) + " " + base64.StdEncoding.EncodeToString(pub)
	if err := os.WriteFile(path, priv, 0o600); err != nil {
		return "", err
	}
	if err := os.WriteFile(path+".pub", []byte(line+" "+comment+"\n"), 0o644); err != nil {
		return "", err
	}
	return line, nil
}

func keyType(typ string) string {
	switch typ {
	case "ecdsa":
		return "ecdsa-sha2-nistp256"
	case "rsa":
		return "ssh-rsa"
	}
	return "ssh-ed25519"
}

// opensshEd25519 encodes an unencrypted "openssh-key-v1" private key
// (PROTOCOL.key in OpenSSH's sources).
func opensshEd25519(pubBlob []byte, pk ed25519.PublicKey, sk ed25519.PrivateKey, comment string) []byte {
	var check [4]byte
	_, _ = rand.Read(check[:])
	var inner []byte
	inner = append(inner, check[:]...)
	inner = append(inner, check[:]...)
	inner = sshString(inner, "ssh-ed25519")
	inner = sshString(inner, string(pk))
	inner = sshString(inner, string(sk)) // 64 bytes: seed then public key
	inner = sshString(inner, comment)
	for i := byte(1); len(inner)%8 != 0; i++ {
		inner = append(inner, i)
	}
	var b []byte
	b = append(b, "openssh-key-v1\x00"...)
	b = sshString(b, "none") // cipher
	b = sshString(b, "none") // kdf
	b = sshString(b, "")     // kdf options
	b = binary.BigEndian.AppendUint32(b, 1)
	b = sshString(b, string(pubBlob))
	b = sshString(b, string(inner))

	var out bytes.Buffer
	out.WriteString("-----BEGIN OPENSSH PRIVATE KEY-----\n")
	enc := base64.StdEncoding.EncodeToString(b)
	for len(enc) > 70 {
		out.WriteString(enc[:70] + "\n")
		enc = enc[70:]
	}
	out.WriteString(enc + "\n-----END OPENSSH PRIVATE KEY-----\n")
	return out.Bytes()
}

// sshString appends s in the SSH wire format: a uint32 length, then s.
func sshString(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

// sshMpint appends a non-negative n as an SSH mpint: big-endian, with a
// leading zero byte when the top bit is set so it does not read as negative.
func sshMpint(b []byte, n *big.Int) []byte {
	v := n.Bytes()
	if len(v) > 0 && v[0]&0x80 != 0 {
		v = append([]byte{0}, v...)
	}
	return sshString(b, string(v))
}
