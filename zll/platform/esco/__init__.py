"""The ESCO vocabulary the region ships: labels for skill URIs, and free text resolved to
skills. Matching explains recommendations and resolves goals with it; intake infers the
skills of imported courses that name none. Shared here because two services read it and
neither may import the other."""
