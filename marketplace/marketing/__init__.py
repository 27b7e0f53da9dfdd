"""Marketing support: share kit (links, meta tags, QR codes), promotions, printable catalogs and labels."""
