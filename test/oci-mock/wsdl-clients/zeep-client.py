# A WSDL-driven SOAP client (zeep) against the mock: reads the WSDL, logs in, sends one Get.
# argv: WSDL URL, login document, get document. Prints each reply document as one JSON line.
import json
import sys

import zeep

client = zeep.Client(sys.argv[1])  # zeep's transport keeps the JSESSIONID cookie in its requests.Session
for document in sys.argv[2:]:
    reply = client.service.processOCIMessage(in0=document)
    print(json.dumps({"reply": reply}))
