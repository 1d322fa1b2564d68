"""The staff admin: the record admins, the pages that change a record's state, and their forms."""
