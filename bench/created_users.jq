# The jq program equivalent to `uxform --preset created_users`: one randomuser.me
# result (API 1.3/1.4 layout) in, the flat spark_streams.created_users row out.
# Fields whose source is missing or null are left out; the address needs all five
# parts. Usage: jq -c -f bench/created_users.jq < results.ndjson
# (uxform also validates: it rejects a record whose id is missing or not a UUID,
# or whose text fields are objects/arrays; jq would stop at such a record.)
def s: if type == "string" then . elif type == "number" or type == "boolean" then tostring
  elif type == "null" then null else error("expected string or number, got \(type)") end;
{
  id: (.login.uuid | if type == "string" then ascii_downcase else . end),
  first_name: (.name.first | s),
  last_name: (.name.last | s),
  gender: (.gender | s),
  address: (.location | if .street.number == null or .street.name == null or .city == null
    or .state == null or .country == null then null
    else "\(.street.number) \(.street.name), \(.city), \(.state), \(.country)" end),
  post_code: (.location.postcode | s),
  email: (.email | s),
  username: (.login.username | s),
  dob: (.dob.date | s),
  registered_date: (.registered.date | s),
  phone: (.phone | s),
  picture: (.picture.medium | s)
} | with_entries(select(.value != null))
