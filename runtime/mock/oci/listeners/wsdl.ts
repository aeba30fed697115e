import { escapeAttribute } from '../../../oci/xml/escape.js';

/**
 * A minimal WSDL for the SOAP endpoint, served at `<soapPath>?wsdl` as Axis does, so that
 * WSDL-driven clients (PHP SoapClient, zeep) can be pointed at the mock: one rpc/encoded
 * operation `processOCIMessage(in0: string) → processOCIMessageReturn: string` in namespace
 * `urn:com:broadsoft:webservice`, with `soapAction=""` (oci-protocol.md §4.9).
 */
export function provisioningWsdl(location: string): string {
  const ns = 'urn:com:broadsoft:webservice';
  const encoded = `encodingStyle="http://schemas.xmlsoap.org/soap/encoding/" namespace="${ns}" use="encoded"`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<wsdl:definitions targetNamespace="${ns}" xmlns:impl="${ns}" xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:wsdlsoap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
  <wsdl:message name="processOCIMessageRequest"><wsdl:part name="in0" type="xsd:string"/></wsdl:message>
  <wsdl:message name="processOCIMessageResponse"><wsdl:part name="processOCIMessageReturn" type="xsd:string"/></wsdl:message>
  <wsdl:portType name="ProvisioningService">
    <wsdl:operation name="processOCIMessage" parameterOrder="in0">
      <wsdl:input message="impl:processOCIMessageRequest" name="processOCIMessageRequest"/>
      <wsdl:output message="impl:processOCIMessageResponse" name="processOCIMessageResponse"/>
    </wsdl:operation>
  </wsdl:portType>
  <wsdl:binding name="ProvisioningServiceSoapBinding" type="impl:ProvisioningService">
    <wsdlsoap:binding style="rpc" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="processOCIMessage">
      <wsdlsoap:operation soapAction=""/>
      <wsdl:input name="processOCIMessageRequest"><wsdlsoap:body ${encoded}/></wsdl:input>
      <wsdl:output name="processOCIMessageResponse"><wsdlsoap:body ${encoded}/></wsdl:output>
    </wsdl:operation>
  </wsdl:binding>
  <wsdl:service name="ProvisioningServiceService">
    <wsdl:port binding="impl:ProvisioningServiceSoapBinding" name="ProvisioningService">
      <wsdlsoap:address location="${escapeAttribute(location)}"/>
    </wsdl:port>
  </wsdl:service>
</wsdl:definitions>
`;
}
